CREATE TABLE "agent_memory" (
	"agent" text PRIMARY KEY NOT NULL,
	"peak_rss_bytes" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manager_reports" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pending_input" ADD COLUMN "handed" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "memory_floor_bytes" bigint;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "disk_floor_bytes" bigint;--> statement-breakpoint
ALTER TABLE "targets" ADD COLUMN "health" text;--> statement-breakpoint
-- As SQLite's 0013: workers that had already ended count as reported to their manager.
INSERT INTO "manager_reports" ("worker_id", "at")
	SELECT "id", "updated_at" FROM "sessions"
	WHERE "role" = 'worker' AND "status" IN ('completed', 'failed', 'canceled');
