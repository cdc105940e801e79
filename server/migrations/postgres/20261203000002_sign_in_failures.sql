-- Failed sign-ins per name, shared by every server on the database, so guesses spread over
-- several instances behind a load balancer are counted together (web::limiter keeps the delays;
-- this row only carries the count between servers). Rows older than the limiter's window are
-- purged with expired sessions; a success deletes the name's row.
CREATE TABLE sign_in_failures (
    name TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at TEXT NOT NULL
);
