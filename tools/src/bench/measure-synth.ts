/**
 * Runs one app's main.ts in this process and, on exit, prints its peak resident
 * memory as a JSON line on stderr (`{"maxRssMb": ...}`). Used by synth-bench.ts.
 */
const main = process.argv[2];
if (!main) throw new Error('usage: measure-synth <apps/<app>/src/main.ts>');
process.on('exit', () => {
  process.stderr.write(`${JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(main);
