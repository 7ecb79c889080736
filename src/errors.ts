// Coded errors: each kind of failure is a subclass with a stable code and a message that says what to do next.

/** Base of every error IT Buddy raises on purpose. */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is missing or wrong; the message names the variable. */
export class ConfigError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_invalid', message, options);
  }
}

/** A knowledge-base file is invalid; the message names the file and the field. */
export class KbError extends CodedError {
  /** Every problem found, one message each (the message joins them); a file can have several at once. */
  readonly problems: string[];
  constructor(message: string | string[], options?: { cause?: unknown }) {
    const problems = Array.isArray(message) ? message : [message];
    super('kb_invalid', problems.join('\n'), options);
    this.problems = problems;
  }
}

/** The store could not be reached or refused the operation. Callers tell the user nothing was saved. */
export class StoreUnavailableError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unavailable', message, options);
  }
}

/** The embedded store's data directory is already in use by another process. */
export class StoreLockedError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_locked', message, options);
  }
}

/** A unique key (reference, event id, issue key) already exists. */
export class DuplicateKeyError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('duplicate_key', message, options);
  }
}

/** Someone tried something their role does not allow. */
export class PermissionError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permission_denied', message, options);
  }
}

/** Input failed validation; `fields` maps each field to a message for that field. */
export class ValidationError extends CodedError {
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string>, options?: { cause?: unknown }) {
    super('validation_failed', message, options);
    this.fields = fields;
  }
}

/** The HTTP port could not be opened (taken by another process, or not allowed). */
export class ListenError extends CodedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('listen_failed', message, options);
  }
}
