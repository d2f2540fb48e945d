#!/usr/bin/env node
// A small terminal program that stands in for an agent's TUI in the offline demo with --tmux: it shows
// a few steps of "work", answers typed lines, and exits after a quiet spell. It talks to no model.
import { createInterface } from 'node:readline';

const task = process.argv.slice(2).join(' ') || 'the task';
// How long it waits for typed input before it exits (tests of restarts need it to outlive one).
const quietMs = Number(process.env.ORCHA_DEMO_QUIET_MS) || 4_000;
const steps = ['reading the code', 'planning the change', 'editing files', 'running the tests'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const bold = (text) => `\u001b[1m${text}\u001b[0m`;

console.log(bold('orcha demo agent (FAKE — no model behind it)'));
console.log(`task: ${task.slice(0, 200)}`);
for (const step of steps) {
  await sleep(700);
  console.log(`\u001b[36m•\u001b[0m ${step}…`);
}
console.log(`done. Type a message to steer me; I exit after ${quietMs / 1000} quiet seconds.`);
process.stdout.write('> ');
const lines = createInterface({ input: process.stdin });
let quiet = setTimeout(() => process.exit(0), quietMs);
lines.on('line', (line) => {
  clearTimeout(quiet);
  console.log(`got: ${line}`);
  process.stdout.write('> ');
  quiet = setTimeout(() => process.exit(0), quietMs);
});
