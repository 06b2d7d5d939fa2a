-- Primary keys, foreign keys and indexes, added once the data is loaded.
-- Foreign keys include tenant_id, so a row can never point at another tenant's row.
-- Run as the superuser, not as claver_owner: for a role subject to forced RLS, Postgres
-- validates a new foreign key row by row instead of with one query.

ALTER TABLE tenants ADD PRIMARY KEY (tenant_id);
ALTER TABLE tenants ADD UNIQUE (slug);
ALTER TABLE users ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE users ADD UNIQUE (tenant_id, email);
ALTER TABLE customers ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE jobs ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE job_notes ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE job_costs ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE invoices ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE invoices ADD UNIQUE (tenant_id, number);
ALTER TABLE invoice_lines ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE payments ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE files ADD PRIMARY KEY (tenant_id, id);

ALTER TABLE users ADD FOREIGN KEY (tenant_id) REFERENCES tenants;
ALTER TABLE customers ADD FOREIGN KEY (tenant_id) REFERENCES tenants;
ALTER TABLE jobs ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers;
ALTER TABLE jobs ADD FOREIGN KEY (tenant_id, assigned_to) REFERENCES users;
ALTER TABLE job_notes ADD FOREIGN KEY (tenant_id, job_id) REFERENCES jobs;
ALTER TABLE job_notes ADD FOREIGN KEY (tenant_id, author_id) REFERENCES users;
ALTER TABLE job_costs ADD FOREIGN KEY (tenant_id, job_id) REFERENCES jobs;
ALTER TABLE invoices ADD FOREIGN KEY (tenant_id, customer_id) REFERENCES customers;
ALTER TABLE invoices ADD FOREIGN KEY (tenant_id, job_id) REFERENCES jobs;
ALTER TABLE invoice_lines ADD FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices;
ALTER TABLE payments ADD FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices;
ALTER TABLE files ADD FOREIGN KEY (tenant_id, job_id) REFERENCES jobs;
ALTER TABLE files ADD FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users;

CREATE INDEX ON jobs (tenant_id, customer_id);
CREATE INDEX ON jobs (tenant_id, status, scheduled_for);
CREATE INDEX ON job_notes (tenant_id, job_id);
CREATE INDEX ON job_costs (tenant_id, job_id);
CREATE INDEX ON invoices (tenant_id, customer_id);
CREATE INDEX ON invoice_lines (tenant_id, invoice_id);
CREATE INDEX ON payments (tenant_id, invoice_id);
CREATE INDEX ON files (tenant_id, job_id);
