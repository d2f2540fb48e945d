-- Replicas of `orcha serve` on one database (their heartbeats) and the leader lease with its fencing token.
CREATE TABLE `replicas` (
	`id` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`started_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`token` integer NOT NULL,
	`expires_at` integer NOT NULL
);
