-- Idle sessions (waiting_input) hold no target slot any more: give back the slots they held.
DELETE FROM `target_slots` WHERE `session_id` IN (SELECT `id` FROM `sessions` WHERE `status` = 'waiting_input');
