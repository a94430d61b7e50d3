// Cost per call of the default mixin set (the library's, and the CLI's), and of each mixin in
// the CLI's set.
import { type Lib, loadLibrary } from './_lib.js';
import type { BenchArgs, Section } from './_report.js';
import { formatCount, formatUs, median, shuffled } from './_stats.js';

function work(x: number): number {
  return x + 1;
}

// A configuration: the mixins to give a bench (library defaults on or off).
interface MixinConfig {
  readonly label: string;
  readonly make: (lib: Lib) => { mixins: ReturnType<Lib['createMixin']>[]; defaults: boolean };
}

// µs per call of a fresh wrapped `work` with `config`, over `calls` calls.
function timeConfig(lib: Lib, config: MixinConfig, calls: number): number {
  const { mixins, defaults } = config.make(lib);
  const wrapped = new lib.MicroBench({ mixins, defaultMixins: defaults }).wrap(work);
  const start = performance.now();
  for (let i = 0; i < calls; i++) wrapped(i);
  return ((performance.now() - start) * 1000) / calls;
}

/** Per-call cost of mixins, in-memory output, interleaved rounds after a warm-up round. */
export async function measure(args: BenchArgs): Promise<Section> {
  const lib = await loadLibrary();
  const configs: MixinConfig[] = [
    { label: 'no mixins', make: () => ({ mixins: [], defaults: false }) },
    {
      label: `library defaults (${lib
        .defaultMixins()
        .map((m) => m.name)
        .join(', ')})`,
      make: () => ({ mixins: [], defaults: true }),
    },
    {
      label: `CLI defaults (${lib.CLI_DEFAULT_MIXINS.join(', ')})`,
      make: (l) => ({ mixins: l.CLI_DEFAULT_MIXINS.map((n) => l.createMixin(n)), defaults: false }),
    },
    ...lib.CLI_DEFAULT_MIXINS.map(
      (name): MixinConfig => ({
        label: `only ${name}`,
        make: (l) => ({ mixins: [l.createMixin(name)], defaults: false }),
      }),
    ),
  ];
  const batch = args.quick ? 3_000 : 10_000;
  const calls = new Map<string, number>(configs.map((c) => [c.label, batch]));
  const rounds = args.quick ? 4 : 11;
  const perCall = new Map<string, number[]>(configs.map((c) => [c.label, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const config of shuffled(configs)) {
      const us = timeConfig(lib, config, calls.get(config.label)!);
      if (round > 0) perCall.get(config.label)!.push(us);
    }
  }
  const none = median(perCall.get('no mixins')!);
  const rows = configs.map((c) => {
    const m = median(perCall.get(c.label)!);
    return [
      c.label,
      formatCount(calls.get(c.label)!),
      formatUs(m),
      c.label === 'no mixins' ? '—' : formatUs(m - none),
    ];
  });
  return {
    title: 'Mixins per call',
    method: `In-memory output, the trivial function; each configuration in fresh benches, interleaved in a random order, median of ${rounds} rounds after a warm-up round. "Mixin cost" = per call − per call without mixins. The CLI runs its mixins once per command, so there their cost is paid once, not per call.`,
    tables: [{ head: ['mixins', 'calls per batch', 'per call', 'mixin cost'], rows }],
    checks: [],
    notes: [],
  };
}
