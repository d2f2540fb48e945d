-- SQLite migration 0010: objective and session budgets, and the threshold each has reached.
ALTER TABLE "objectives" ADD COLUMN "budget" text;--> statement-breakpoint
ALTER TABLE "objectives" ADD COLUMN "budget_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "budget" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "budget_level" integer DEFAULT 0 NOT NULL;
