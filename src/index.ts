// The public API of microbench-ts: named re-exports only.

export type { GetResultsOptions, RecordOnExitOptions } from './bench/micro-bench.js';
export { MicroBench, RUN_ID } from './bench/micro-bench.js';
export type {
  MicroBenchOptions,
  ResolvedMicroBenchOptions,
  TelemetryFunction,
} from './bench/options.js';
export { MICROBENCH_OPTION_NAMES, resolveMicroBenchOptions } from './bench/options.js';
export type { SubTimer } from './bench/time.js';
export type {
  BenchmarkComparison,
  CompareOptions,
  Comparison,
  EnvironmentDifference,
  SideStats,
  Verdict,
} from './compare/compare.js';
export {
  compare,
  compareSamples,
  compareSamplesWithin,
  compareWithin,
  DEFAULT_ALPHA,
  DEFAULT_THRESHOLD,
  describeSamples,
  findRegressions,
} from './compare/compare.js';
export type { CompareFormat } from './compare/render.js';
export { renderComparison, renderHeadline, toComparisonJson } from './compare/render.js';
export type {
  BenchmarkSamples,
  CollectOptions,
  ReadSamplesResult,
  RecordFilter,
} from './compare/samples.js';
export { collectSamples, readSamples, SampleCollector } from './compare/samples.js';
export type { DeliveryFailure, MicrobenchErrorCode } from './errors.js';
export {
  InputError,
  MicrobenchError,
  OptionError,
  OutputDeliveryError,
  TelemetryError,
  UsageError,
} from './errors.js';
export { JOURNAL_DIR_NAME, journalDirFor } from './journal/journal.js';
export type {
  JournalNote,
  RecoveredJournal,
  RecoverOptions,
  RecoverResult,
} from './journal/recover.js';
export { recoverJournals } from './journal/recover.js';
export type { JsonReplacer } from './json/encode.js';
export { encodeJson, toJsonValue, UNENCODABLE } from './json/encode.js';
export type { Mixin, MixinContext, MixinInfo } from './mixins/index.js';
export {
  CLI_DEFAULT_MIXINS,
  cgroupLimits,
  createMixin,
  createNvidiaTelemetry,
  defaultMixins,
  defineMixin,
  fileHash,
  functionCall,
  gitInfo,
  hostInfo,
  installedPackages,
  listMixins,
  loadedModules,
  loadedPackages,
  nodeRuntime,
  nvidiaSmi,
  nvidiaTelemetryModule,
  peakMemory,
  resourceUsage,
  returnValue,
  slurmInfo,
  withGpuTelemetry,
  workingDir,
} from './mixins/index.js';
export { OutputFanOut } from './outputs/fan-out.js';
export type { FileOutput, FileOutputOptions } from './outputs/file.js';
export { fileOutput } from './outputs/file.js';
export { createOutputsFromCliOptions } from './outputs/from-cli.js';
export type { HttpOutput, HttpOutputOptions } from './outputs/http.js';
export { httpOutput, parseHttpHeader } from './outputs/http.js';
export type { MemoryOutput, MemoryOutputOptions } from './outputs/memory.js';
export { memoryOutput } from './outputs/memory.js';
export type { BatchItem, Output } from './outputs/output.js';
export { defineOutput } from './outputs/output.js';
export type { RedisOutput, RedisOutputOptions } from './outputs/redis.js';
export { redisOutput } from './outputs/redis.js';
export { stdoutOutput } from './outputs/stdout.js';
export type { IterationOutcomes } from './record/iterations.js';
export { splitIterations } from './record/iterations.js';
export type { RecordFormat } from './record/layout.js';
export { IMPLEMENTATION, RECORD_FORMATS, toFlatRecord, toLayout } from './record/layout.js';
export type {
  EnvironmentView,
  IterationView,
  ReadRecordsOptions,
  RecordEntry,
  RecordView,
  TelemetryRunView,
} from './record/read-record.js';
export {
  isMicrobenchRecord,
  NOT_A_RECORD_MESSAGE,
  readRecordsFrom,
  successfulDurationsOf,
  toRecordView,
} from './record/read-record.js';
export type {
  BenchRecord,
  RecordedException,
  SubTiming,
  TelemetrySample,
} from './record/record.js';
export type { Timezone } from './record/timestamp.js';
export { formatTimestamp, resolveTimezone } from './record/timestamp.js';
export type { DurationStats, SummaryFormat, SummaryRow } from './report/summary.js';
export { renderSummary, summarize, summarizeSamples } from './report/summary.js';
export type { ReportInput, ReportOptions, ReportResult } from './report/write-report.js';
export { writeReport } from './report/write-report.js';
export type {
  AsDictOptions,
  CpuTimes,
  CtxSwitches,
  IoCounters,
  MemoryFullInfo,
  MemoryInfo,
} from './telemetry/process-info.js';
export {
  AccessDeniedError,
  NoSuchProcessError,
  ProcessInfo,
} from './telemetry/process-info.js';
export type { ProcessTreeSample, ProcessTreeSamplerOptions } from './telemetry/process-tree.js';
export { listDescendants, ProcessTreeSampler } from './telemetry/process-tree.js';
export { VERSION } from './version.js';
