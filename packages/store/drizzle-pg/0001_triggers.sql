-- What the schema file cannot say, as on SQLite: the store's inserts are SQLite's, naming an autoincrement id
-- as null, which `fill_id` fills from the column's own sequence; the session counts per status kept by
-- triggers (SQLite migration 0004); the notification cursor's one row (SQLite migration 0009).
CREATE FUNCTION "fill_id"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW."id" IS NULL THEN
		NEW."id" := nextval(pg_get_serial_sequence(quote_ident(TG_TABLE_NAME), 'id'));
	END IF;
	RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "events_fill_id" BEFORE INSERT ON "events" FOR EACH ROW EXECUTE FUNCTION "fill_id"();
--> statement-breakpoint
CREATE TRIGGER "pending_input_fill_id" BEFORE INSERT ON "pending_input" FOR EACH ROW EXECUTE FUNCTION "fill_id"();
--> statement-breakpoint
CREATE TRIGGER "notifications_fill_id" BEFORE INSERT ON "notifications" FOR EACH ROW EXECUTE FUNCTION "fill_id"();
--> statement-breakpoint
CREATE FUNCTION "sessions_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE "session_status_counts" SET "n" = "n" - 1 WHERE "status" = OLD."status";
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO "session_status_counts" ("status", "n") VALUES (NEW."status", 1)
			ON CONFLICT ("status") DO UPDATE SET "n" = "session_status_counts"."n" + 1;
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "sessions_count_insert" AFTER INSERT ON "sessions" FOR EACH ROW EXECUTE FUNCTION "sessions_count"();
--> statement-breakpoint
CREATE TRIGGER "sessions_count_update" AFTER UPDATE OF "status" ON "sessions" FOR EACH ROW
	WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "sessions_count"();
--> statement-breakpoint
CREATE TRIGGER "sessions_count_delete" AFTER DELETE ON "sessions" FOR EACH ROW EXECUTE FUNCTION "sessions_count"();
--> statement-breakpoint
INSERT INTO "notification_cursor" ("id", "event_id") VALUES (1, 0);
