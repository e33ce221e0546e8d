/**
 * The rules the Airbyte platform applies to a source's output, each tied to the platform file and
 * function it was read from (airbytehq/airbyte-platform @ 310e6cb6ac0e7bd310fe99bfd505d5c36ba71f2e,
 * protocol models airbytehq/airbyte-protocol 0.18.0 @ 776eede0, the platform pins 0.19.0).
 * Paths are shortened: `orchestrator/` = airbyte-container-orchestrator/src/main/kotlin/io/airbyte/
 * container/orchestrator/, `commons-worker/` = airbyte-commons-worker/src/main/kotlin/io/airbyte/workers/.
 *
 * `effect` says what the platform does when the rule is broken: the message is DROPPED (silently
 * or with a log line), or the attempt FAILS (an exception in the replication or the sidecar), or a
 * result is IGNORED. test/platform/README.md has the same table with the test proving each rule.
 */
export const PLATFORM_RULES = {
  NOT_JSON: {
    mirrors: 'commons-worker/internal/VersionedAirbyteStreamFactory.kt toAirbyteMessage → logMalformedLogMessage',
    effect: 'DROPPED: a stdout line that is not JSON is logged as "Malformed non-Airbyte record" and lost',
  },
  TRAILING_CONTENT: {
    mirrors: 'airbyte-commons/.../json/Jsons.kt tryDeserializeExact (Jackson readValue stops after the first value); VersionedAirbyteStreamFactory class doc',
    effect: 'DROPPED: whatever follows the first JSON value on a line (e.g. a second message) is lost',
  },
  NOT_AIRBYTE_MESSAGE: {
    mirrors: 'airbyte-commons/.../json/Jsons.kt tryDeserializeExact into io.airbyte.protocol.models.v0.AirbyteMessage (jsonschema2pojo: exact-match @JsonCreator enums, Long integers, URI fields)',
    effect: 'DROPPED: a value outside an enum (case counts), a wrong JSON type or a bad URI makes the whole line fail to bind',
  },
  TYPE_MISSING: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (message.type == null)',
    effect: 'DROPPED silently',
  },
  RECORD_INCOMPLETE: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (RECORD: record, stream, data non-null and non-empty)',
    effect: 'DROPPED silently: a record without stream, or with null or empty {} data',
  },
  RECORD_STREAM_NOT_IN_CATALOG: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate → AirbyteMessageExtractor.getCatalogStreamFromMessage',
    effect: 'FAILS: SourceException "Missing catalog stream for the stream"',
  },
  RECORD_PRIMARY_KEY_MISSING: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (INCREMENTAL + isDedup) → AirbyteMessageExtractor.containsNonNullPK / Jsons.navigateTo',
    effect: 'FAILS: SourceException "Primary keys not found in catalog" or "All the defined primary keys are null"',
  },
  LOG_INCOMPLETE: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (LOG: level and message)',
    effect: 'DROPPED silently',
  },
  TRACE_INCOMPLETE: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (TRACE: type and emitted_at)',
    effect: 'DROPPED silently',
  },
  CONTROL_INCOMPLETE: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (CONTROL: type and emitted_at)',
    effect: 'DROPPED silently',
  },
  STATE_MISSING: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (STATE: state object)',
    effect: 'DROPPED silently',
  },
  RESULT_INCOMPLETE: {
    mirrors: 'commons-worker/internal/BasicAirbyteMessageValidator.kt validate (SPEC.connectionSpecification, CATALOG.streams, CONNECTION_STATUS.status)',
    effect: 'DROPPED silently',
  },
  NOT_ACCEPTED_IN_SYNC: {
    mirrors: 'orchestrator/worker/io/LocalContainerConstants.kt ACCEPTED_MESSAGE_TYPES, used by LocalContainerAirbyteSource.start',
    effect: 'DROPPED: during read only RECORD, STATE, TRACE and CONTROL go on (LOG is re-logged by VersionedAirbyteStreamFactory.filterLog)',
  },
  STDERR_OUTPUT: {
    mirrors: 'orchestrator/worker/io/LocalContainerAirbyteSource.kt start (LineGobbler.gobble(errInputStream) { logger.error })',
    effect: 'every stderr line of a read is an ERROR line in the sync log',
  },
  TRACE_PAYLOAD_MISSING: {
    mirrors: 'orchestrator/worker/util/AirbyteMessageDataExtractor.kt getStreamFromTrace; commons-worker/helper/FailureHelper.kt genericFailure (m.error)',
    effect: 'FAILS: NullPointerException on an ERROR/ESTIMATE/STREAM_STATUS trace without its payload object',
  },
  STREAM_STATUS_INCOMPLETE: {
    mirrors: 'orchestrator/bookkeeping/streamstatus/StreamStatusTracker.kt trackEvent (status!!); orchestrator/tracker/StreamStatusCompletionTracker.kt track',
    effect: 'FAILS: NullPointerException on a status without status, or a COMPLETE without stream_descriptor; otherwise the status is ignored',
  },
  COMPLETE_FOR_UNKNOWN_STREAM: {
    mirrors: 'orchestrator/tracker/StreamStatusCompletionTracker.kt track (destinations that support refreshes)',
    effect: 'FAILS: WorkerException "A stream status ... has been detected for a stream not present in the catalog"',
  },
  ESTIMATE_INCOMPLETE: {
    mirrors: 'orchestrator/bookkeeping/StatsTracker.kt StreamStatsTracker.trackEstimates; ParallelStreamStatsTracker.kt updateEstimates (SYNC) and getStats (name != null)',
    effect: 'FAILS: AtomicLong.set(null) NullPointerException when row_estimate or byte_estimate is missing; a STREAM estimate without name is never reported',
  },
  ESTIMATE_MIXED: {
    mirrors: 'orchestrator/bookkeeping/ParallelStreamStatsTracker.kt updateEstimates (expectedEstimateType)',
    effect: 'IGNORED: once STREAM and SYNC estimates are mixed, hasEstimatesErrors discards every estimate of the sync',
  },
  STATE_NOT_STREAM_OR_GLOBAL: {
    mirrors: 'orchestrator/worker/state/StateEnricher.kt enrich → ParallelStreamStatsTracker.kt getFilteredCountForCurrentState',
    effect: 'FAILS: IllegalArgumentException "LEGACY states are deprecated." for a LEGACY or untyped STATE',
  },
  STATE_INCOMPLETE: {
    mirrors: 'orchestrator/bookkeeping/ParallelStreamStatsTracker.kt getEmittedCountForCurrentState / updateSourceStatesStats; orchestrator/bookkeeping/state/MissingStateInjector.kt trackMessage',
    effect: 'FAILS: NullPointerException on a STREAM state without stream.stream_descriptor, or a GLOBAL without global.stream_states',
  },
  SOURCE_STATS_INCOMPLETE: {
    mirrors: 'orchestrator/worker/state/StateEnricher.kt enrich (require(filteredOut <= sourceStats.recordCount))',
    effect: 'FAILS: NullPointerException when sourceStats is present without recordCount for a stream already seen',
  },
  SOURCE_STATS_MISMATCH: {
    mirrors: 'orchestrator/bookkeeping/ParallelStreamStatsTracker.kt updateSourceStatesStats → StateCheckSumCountEventHandler.kt validateStateChecksum (validateGlobalStateChecksum for GLOBAL)',
    effect: 'reported as a checksum mismatch; FAILS the sync under the FailSyncOnInvalidChecksum flag',
  },
  FAILED_WITHOUT_ERROR_TRACE: {
    mirrors: 'airbyte-connector-sidecar/.../ConnectorMessageProcessor.kt setOutput → getFailureReasonForNon0ExitCode; orchestrator/bookkeeping/AirbyteMessageTracker.kt errorTraceMessageFailure',
    effect: 'the user sees only "returned an exit code N" (system_error): the connector said nothing about why',
  },
  NO_RESULT: {
    mirrors: 'airbyte-connector-sidecar/.../ConnectorMessageProcessor.kt setOutput',
    effect: 'FAILS: WorkerException "Connector exited successfully without an output for <op>"',
  },
  EXTRA_RESULT: {
    mirrors: 'airbyte-connector-sidecar/.../ConnectorMessageProcessor.kt getSpecResult / getConnectionStatus / getDiscoveryResult (findFirst)',
    effect: 'IGNORED: only the first SPEC / CONNECTION_STATUS / CATALOG counts',
  },
  SPEC_PROTOCOL_VERSION: {
    mirrors: 'airbyte-commons-server/.../ActorDefinitionHandlerHelper.kt getAndValidateProtocolVersionFromSpec → AirbyteProtocolVersionRange.isSupported (bootloader application.yml: 0.0.0–0.3.0)',
    effect: 'FAILS: UnsupportedProtocolVersionException unless the major of protocol_version (default 0.2.0) is 0',
  },
  CATALOG_STREAM_UNNAMED: {
    mirrors: 'airbyte-commons-converters/.../CatalogClientConverters.kt toAirbyteStreamClientApi (ClientAirbyteStream(name = name))',
    effect: 'FAILS: a discovered stream without a name cannot be converted for the API',
  },
  CHECK_STATUS_HIDES_TRACE: {
    mirrors: 'airbyte-connector-sidecar/.../ConnectorMessageProcessor.kt setOutput (CHECK: a CONNECTION_STATUS wins; failureReason only without one)',
    effect: 'IGNORED: a TRACE ERROR beside a CONNECTION_STATUS never reaches the platform, so its failure type is lost (a FAILED status becomes CONFIG_ERROR)',
  },
  CHECK_ENDS_RETRIES: {
    mirrors:
      'airbyte-workers/.../scheduling/ConnectionManagerWorkflowImpl.kt checkConnectionsWithCommandApi, reportFailure; SyncCheckConnectionResult.kt buildFailureOutput; commons-worker/helper/FailureHelper.kt checkFailure',
    effect: 'FAILS, no retry: the check before a retry answered FAILED (or a config_error trace), which is CONFIG_ERROR "Checking SOURCE connection failed – please review this connection\'s configuration"',
  },
  RETRYABLE_FAILURE_NOT_FIRST: {
    mirrors: 'orchestrator/bookkeeping/AirbyteMessageTracker.kt errorTraceMessageFailure (sortedBy emitted_at); orchestrator/worker/ReplicationWorkerHelper.kt getFailureReasons; ConnectionManagerWorkflowImpl.kt reportFailure (failures.first())',
    effect: 'FAILS, no retry: the first ERROR trace by emitted_at is a config_error although a transient or system error trace says a retry could succeed',
  },
  FIELD_NOT_DECLARED: {
    mirrors: 'orchestrator/worker/filter/FieldSelector.kt filterSelectedFields (ObjectNode.retain of populatedStreamToSelectedFields: the configured stream\'s top-level json_schema properties)',
    effect: 'DROPPED: a top-level record field the configured stream\'s json_schema does not declare never reaches the destination',
  },
  RECORD_DATA_NOT_OBJECT: {
    mirrors: 'orchestrator/worker/filter/FieldSelector.kt filterSelectedFields ("Unexpected data in record")',
    effect: 'FAILS: RuntimeException on record data that is not an object (and was not dropped as empty)',
  },
  SCHEMA_WITHOUT_PROPERTIES: {
    mirrors: 'orchestrator/worker/filter/FieldSelector.kt populatedStreamToSelectedFields (json_schema.findPath("properties")), called by ReplicationWorkerHelper.initialize',
    effect: 'FAILS: RuntimeException "No properties node in stream schema" before the first message',
  },
  CONTROL_CONFIG_REFUSED: {
    mirrors:
      'airbyte-commons-converters/.../ConnectorConfigUpdater.kt updateSource → airbyte-commons-server SourceHandler.kt updateSource / validateSourceUpdate; ConfigurationUpdate.kt source → airbyte-config/config-secrets JsonSecretsProcessor.kt copySecrets',
    effect: 'IGNORED: a CONNECTOR_CONFIG the spec refuses once masked secrets are restored (an omitted secret is not restored) is not saved; the sync goes on with the old config',
  },
  HISTORY_NARROWED: {
    mirrors:
      'airbyte-commons-server/.../handlers/AttemptHandler.kt updateGenerationAndStateForFirstAttempt (state deleted, GenerationBumper); airbyte-config/config-persistence/.../CatalogGenerationSetter.kt (minimum_generation_id = generation_id for a truncate refresh or a clear); docs.airbyte.com/operator-guides/refreshes (older generations removed at the successful end)',
    effect: 'DROPPED: after a truncate Refresh or a Clear and the sync that follows, the destination no longer holds records it held before',
  },
} as const satisfies Record<string, { mirrors: string; effect: string }>;

export type RuleId = keyof typeof PLATFORM_RULES;

export interface Violation {
  rule: RuleId;
  /** 1-based stdout line, when the violation belongs to one line. */
  line?: number;
  detail: string;
  /** The platform file and function the rule mirrors. */
  mirrors: string;
}

export function violation(rule: RuleId, detail: string, line?: number): Violation {
  return { rule, detail, mirrors: PLATFORM_RULES[rule].mirrors, ...(line !== undefined ? { line } : {}) };
}
