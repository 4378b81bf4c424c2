/**
 * One error shape for every failure the API reports:
 * `{ error: { code, message: { zh, en }, details?: [{ path, message }] } }`.
 * Handlers throw `ApiError`; `app.onError` renders it. Anything else is a bug and becomes a bare
 * 500 with no stack trace.
 */
import type { Diagnostic } from '../dsl/diagnostics.ts';
import { msg, type MessageCode, type Text } from './messages.ts';
import type { ErrorBody, ErrorDetail } from './wire.ts';

export type { ErrorBody, ErrorDetail };

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 414 | 415 | 422 | 428 | 429 | 500 | 502 | 503;

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: MessageCode | string,
    readonly text: Text,
    readonly details?: ErrorDetail[],
  ) {
    super(`${code}: ${text.en}`);
  }

  static of(status: ErrorStatus, code: MessageCode, details?: ErrorDetail[]): ApiError {
    return new ApiError(status, code, msg(code), details);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.text, ...(this.details?.length ? { details: this.details } : {}) } };
  }
}

export function diagnosticDetails(diags: readonly Diagnostic[]): ErrorDetail[] {
  return diags.map((d) => ({
    path: d.range ? `${d.range.file ?? ''}:${d.range.start.line}:${d.range.start.column}` : '',
    message: d.message,
    code: d.code,
  }));
}

export function errorBody(code: MessageCode, details?: ErrorDetail[]): ErrorBody {
  return ApiError.of(500, code, details).body();
}
