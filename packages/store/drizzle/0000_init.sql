CREATE TABLE `artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`session_id` text,
	`name` text NOT NULL,
	`media_type` text NOT NULL,
	`content` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `artifacts_objective` ON `artifacts` (`objective_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`objective_id` text,
	`session_id` text,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `locks` (
	`key` text PRIMARY KEY NOT NULL,
	`owner_session_id` text NOT NULL,
	`acquired_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `locks_owner` ON `locks` (`owner_session_id`);--> statement-breakpoint
CREATE TABLE `notes` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`session_id` text,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notes_objective` ON `notes` (`objective_id`);--> statement-breakpoint
CREATE TABLE `objectives` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`prompt` text NOT NULL,
	`repo` text,
	`base_branch` text,
	`agent` text NOT NULL,
	`status` text NOT NULL,
	`summary` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `objectives_status` ON `objectives` (`status`);--> statement-breakpoint
CREATE TABLE `pr_feedback` (
	`id` text PRIMARY KEY NOT NULL,
	`pull_request_id` text NOT NULL,
	`external_id` text NOT NULL,
	`kind` text NOT NULL,
	`author` text NOT NULL,
	`body` text NOT NULL,
	`followup_session_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pr_feedback_external` ON `pr_feedback` (`pull_request_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `provider_usage` (
	`provider` text PRIMARY KEY NOT NULL,
	`exhausted_until` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pull_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`session_id` text,
	`repo` text NOT NULL,
	`number` integer NOT NULL,
	`url` text NOT NULL,
	`title` text NOT NULL,
	`branch` text NOT NULL,
	`base_branch` text NOT NULL,
	`state` text NOT NULL,
	`head_sha` text NOT NULL,
	`checks` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pull_requests_repo_number` ON `pull_requests` (`repo`,`number`);--> statement-breakpoint
CREATE INDEX `pull_requests_objective` ON `pull_requests` (`objective_id`);--> statement-breakpoint
CREATE TABLE `questions` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`session_id` text,
	`kind` text NOT NULL,
	`prompt` text NOT NULL,
	`options` text NOT NULL,
	`status` text NOT NULL,
	`answer` text,
	`created_at` integer NOT NULL,
	`answered_at` integer
);
--> statement-breakpoint
CREATE INDEX `questions_status` ON `questions` (`status`);--> statement-breakpoint
CREATE INDEX `questions_session` ON `questions` (`session_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`parent_id` text,
	`role` text NOT NULL,
	`agent` text NOT NULL,
	`title` text NOT NULL,
	`prompt` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`depends_on` text NOT NULL,
	`pinned_target` text,
	`target_id` text,
	`workspace_kind` text NOT NULL,
	`workspace_id` text,
	`repo` text,
	`base_branch` text,
	`pull_request_id` text,
	`provider_session_id` text,
	`interactivity` text NOT NULL,
	`attach_command` text,
	`usage` text NOT NULL,
	`counters` text NOT NULL,
	`result` text,
	`last_activity` text,
	`message_count` integer NOT NULL,
	`token_hash` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `sessions_objective` ON `sessions` (`objective_id`);--> statement-breakpoint
CREATE INDEX `sessions_status` ON `sessions` (`status`);--> statement-breakpoint
CREATE TABLE `target_slots` (
	`session_id` text PRIMARY KEY NOT NULL,
	`target_id` text NOT NULL,
	`claimed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `target_slots_target` ON `target_slots` (`target_id`);--> statement-breakpoint
CREATE TABLE `targets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`host` text,
	`user` text,
	`port` integer,
	`identity_file` text,
	`work_root` text NOT NULL,
	`bootstrap` text,
	`capacity_sessions` integer NOT NULL,
	`status` text NOT NULL,
	`doctor` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `targets_name_unique` ON `targets` (`name`);--> statement-breakpoint
CREATE TABLE `transcript_messages` (
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`data` text,
	PRIMARY KEY(`session_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`objective_id` text NOT NULL,
	`session_id` text,
	`target_id` text NOT NULL,
	`kind` text NOT NULL,
	`path` text NOT NULL,
	`repo` text,
	`branch` text,
	`base_branch` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workspaces_objective` ON `workspaces` (`objective_id`);