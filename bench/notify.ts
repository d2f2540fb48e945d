// `pnpm bench notify`: the notification outbox to a real webhook receiver on loopback.
//   notify_p99_ms   a question opened in the store → the signed webhook received, p99 over 300 questions
//   notify_lost     questions opened by a process killed with SIGKILL mid-stream that never reached the
//                   receiver after a restart of the notifier (goal 0); notify_repeats counts keys received twice
// Last line: {"bench":"notify",…}.
import { measureNotify } from './_notify-measure.js';

const figures = await measureNotify();
console.log(JSON.stringify({ bench: 'notify', ...figures }));
