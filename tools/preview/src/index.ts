// The preview-environment audit: isolation, clean destroy and prod protection of synthesized apps.
export {
  cleanDestroyProblems,
  isolationProblems,
  namesOf,
  PREVIEW_ABSENT_OUTPUTS,
  PREVIEW_MAX_LOG_RETENTION_DAYS,
  PROD_MIN_LOG_RETENTION_DAYS,
  prodProtectionProblems,
  readSynthesizedApp,
  resourceCounts,
  type NameUse,
  type SynthStack,
} from './preview-audit';
