// Loaded with `node --import` into the process the end-to-end benchmark measures (browser
// mode's server, where the sessions run): on SIGUSR2 it writes that process's event-loop delay
// since the last signal (p50, p99, max, in ms) to the file named by PORTHOLE_EVENT_LOOP_FILE,
// then starts a new measurement. With PORTHOLE_PROFILE_FILE set it also profiles the CPU
// between the first and the second signal and writes the .cpuprofile there.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.PORTHOLE_EVENT_LOOP_FILE;
const profileFile = process.env.PORTHOLE_PROFILE_FILE;
let profiler;
let signals = 0;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => ns / 1e6;
    writeFileSync(
      file,
      JSON.stringify({
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        samples: histogram.count,
      }),
    );
    histogram.reset();
    signals++;
    if (profileFile && signals === 1) {
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
    } else if (profiler && signals === 2) {
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
        profiler.disconnect();
      });
    }
  });
}
