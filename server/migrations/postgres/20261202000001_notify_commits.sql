-- Several servers on one database: each commit wakes the others (LISTEN spiral_ledger) instead of
-- waiting for their next poll. The payload is the new head, a hint only: a server woken reads the
-- rows after its own head from the table, so a notification lost (a listener reconnecting) or
-- folded into another loses nothing, and its poll stays as the fallback. Sent at commit, never
-- for a transaction that rolls back; not sent when an append only locks the head.
CREATE FUNCTION spiral_head_moved() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('spiral_ledger', NEW.position::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_head_moved
    AFTER UPDATE ON ledger_head
    FOR EACH ROW
    WHEN (NEW.position <> OLD.position)
    EXECUTE FUNCTION spiral_head_moved();
