"""What each resource of an estate is for (backup key, backup bucket, public subnet...), decided
by one set of rules that the gate (over a translated plan) and the audit (over live reads) both
call: `estate` is the neutral graph each fills, `rules` the decisions, `grants` the IAM policy
statements the rules read. Neither the gate nor the audit keeps a rule of its own, so a program
cannot pass one and fail the other on what a resource is.
"""
