"""The quarterly access review: who can reach production data, compared with the on-call roster
and the last review; the reviewer's decisions become the ACCESS-REVIEW record."""
