ALTER TABLE `targets` ADD `health` text;
--> statement-breakpoint
ALTER TABLE `targets` ADD `memory_floor_bytes` integer;
--> statement-breakpoint
ALTER TABLE `targets` ADD `disk_floor_bytes` integer;
--> statement-breakpoint
CREATE TABLE `agent_memory` (
	`agent` text PRIMARY KEY NOT NULL,
	`peak_rss_bytes` integer NOT NULL,
	`updated_at` integer NOT NULL
);
