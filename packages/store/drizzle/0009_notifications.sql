CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`event_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`objective_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_key` ON `notifications` (`key`);
--> statement-breakpoint
CREATE TABLE `notification_deliveries` (
	`notification_id` integer NOT NULL,
	`sink` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`delivered_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`notification_id`, `sink`)
);
--> statement-breakpoint
CREATE INDEX `notification_deliveries_due` ON `notification_deliveries` (`status`,`next_attempt_at`);
--> statement-breakpoint
CREATE TABLE `notification_cursor` (
	`id` integer PRIMARY KEY NOT NULL,
	`event_id` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `notification_cursor` (`id`, `event_id`) SELECT 1, coalesce(max(`id`), 0) FROM `events`;
