// The simulator kit: what every venue simulator shares. See src/exchanges/README.md.

export { startSimServer, callerIp, listenOptions, MAX_BODY_BYTES, type SimCall, type SimServer, type SimServerOptions, type SimRequest } from './http-server.ts';
export { handleAdmin, isAdminPath, type AdminAnswer, type AdminControls, type AdminKeys, type AdminRequest } from './admin.ts';
export { createSimCore, type SimControls, type SimCore, type SimCoreOptions, type SimSettings } from './core.ts';
export {
  createFaultStore, parseFaultSpec, validateFault,
  type CommonFaultAction, type Fault, type FaultPlan, type FaultScope, type FaultSpec, type FaultStore, type VenueFaultAction, type VenueFaultKind,
} from './faults.ts';
export { applyFaults, sendAnswer, type FaultOutcome, type FaultResponder, type SimAnswer } from './fault-response.ts';
export { createRateLimiter, type EndpointLimit, type RateDecision, type RateLimiter, type RateLimiterOptions } from './rate-limit.ts';
export { createRequestLog, RECENT_REQUESTS, type RequestLog, type SimRequestRecord } from './request-log.ts';
export { randomToken } from './tokens.ts';
export { field, jsonBody, optionalField, requireNumber, stringList } from './json-fields.ts';
export {
  COMMON_SIM_FLAGS, COMMON_SIM_USAGE, cliFaults, commonSimOptions, numberFlag, processIo, readCommonSimArgs, serveUntilSignal,
  type CliIo, type CommonSimArgs, type CommonSimFlagValues, type StoppableSimulator,
} from './cli.ts';
