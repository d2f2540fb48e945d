-- SQLite migration 0015: the terminal session a live run can be re-attached by.
ALTER TABLE "sessions" ADD COLUMN "attach_name" text;--> statement-breakpoint
UPDATE "sessions" SET "attach_name" = 'orcha-' || "id" WHERE "attach_command" IS NOT NULL;
