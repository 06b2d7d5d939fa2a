"""What the pack's tests share: the reviewed exception of their policies."""

# the compliant program's break public-rds declares this public RDS instance
WAIVED = "reporting-db"
WAIVER_REASON = "read replica behind an allow-listed NAT until the Q1 migration (TICKET-7)"
OWNER = "platform-oncall@claver.example"
