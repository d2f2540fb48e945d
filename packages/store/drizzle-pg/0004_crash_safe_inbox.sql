-- SQLite migration 0013: messages handed to a run stay in the inbox until answered; finished workers whose
-- manager was told.
ALTER TABLE "pending_input" ADD COLUMN "handed" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TABLE "manager_reports" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL
);--> statement-breakpoint
INSERT INTO "manager_reports" ("worker_id", "at")
	SELECT "id", "updated_at" FROM "sessions"
	WHERE "role" = 'worker' AND "status" IN ('completed', 'failed', 'canceled');
