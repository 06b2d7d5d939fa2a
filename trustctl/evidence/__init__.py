"""`trustctl evidence`: the auditor's report over a period, built from records alone."""
