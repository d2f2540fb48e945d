#!/usr/bin/env node
// A tiny terminal program for tmux tests, strict about keys the way real TUIs are:
// - it reads the terminal raw and echoes what it gets after a `> ` prompt;
// - an Enter that arrives in the same read as other text is part of a paste and becomes a newline in the
//   input, not a submit (so text and Enter sent together lose the Enter, as with real TUIs);
// - a lone Enter submits the line: it prints `got: <line>` (newlines shown as `\n`) and a new prompt;
// - bracketed paste is enabled, and pasted text is always taken as input, never as a submit.
// Submitted commands: `exit <n>` exits with code n; `spam <n>` prints n numbered lines; `sleep <ms>` stops
// reading for that long (a busy program). Ctrl-D on an empty line exits 0, Ctrl-C exits 130.
import process from 'node:process';

const out = (text) => process.stdout.write(text);
let line = '';
let busyUntil = 0;
const pending = [];

if (process.stdin.isTTY) process.stdin.setRawMode(true);
out('\x1b[?2004h');
out('scripted-tui ready\r\n> ');

function submit() {
  const text = line;
  line = '';
  out(`\r\ngot: ${text.replaceAll('\n', '\\n')}\r\n`);
  const [command, argument] = text.trim().split(/\s+/);
  if (command === 'exit') {
    out('\x1b[?2004l');
    process.exit(Number(argument ?? 0));
  }
  if (command === 'spam') {
    for (let i = 1; i <= Number(argument ?? 0); i++) out(`spam line ${i}\r\n`);
  }
  if (command === 'sleep') busyUntil = Date.now() + Number(argument ?? 0);
  out('> ');
}

function take(chunk) {
  if (chunk === '\r' || chunk === '\n') return submit();
  if (chunk === '\x03') process.exit(130);
  if (chunk === '\x04' && line === '') process.exit(0);
  if (chunk === '\x7f') {
    if (line) {
      line = line.slice(0, -1);
      out('\b \b');
    }
    return;
  }
  const text = chunk.replaceAll('\x1b[200~', '').replaceAll('\x1b[201~', '').replace(/\r\n?/g, '\n');
  line += text;
  out(text.replaceAll('\n', '\r\n  '));
}

function drain() {
  if (Date.now() < busyUntil) {
    setTimeout(drain, busyUntil - Date.now());
    return;
  }
  // A busy program reads everything that piled up in one go, as one chunk.
  if (pending.length) take(pending.splice(0).join(''));
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending.push(chunk);
  drain();
});
process.stdin.on('end', () => process.exit(0));
