-- The change feed across processes: a commit that wrote events wakes every process listening on
-- `orcha_events` (at most one notification per transaction); the events table stays the truth and the cursor.
CREATE FUNCTION "events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('orcha_events', '');
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "events_notify" AFTER INSERT ON "events" FOR EACH STATEMENT EXECUTE FUNCTION "events_notify"();
