// Who may talk to /api/messages and how IT Buddy authenticates when it talks back: Bot Framework tokens
// (ConfigurationBotFrameworkAuthentication, password or certificate, single- or multi-tenant) when an app id is
// configured; otherwise local mode, which botbuilder runs without authentication, so only this machine may call.
import { readFileSync } from 'node:fs';
import {
  type Activity,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  type AuthenticateRequestResult,
  AuthenticationConstants,
  BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  ConnectorFactory,
  type ServiceClientCredentials,
  ServiceClientCredentialsFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { Config } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';

/** 'authenticated' with an app id; 'local' (loopback only, no tokens) for development without one. */
export type TeamsMode = 'authenticated' | 'local';

/** The mode the configuration asks for, or undefined when Teams stays off (production without an app id). */
export function teamsModeFor(config: Config): TeamsMode | undefined {
  if (config.teams.appId) return 'authenticated';
  return config.env === 'production' ? undefined : 'local';
}

/** Throws unless the configuration may run Teams at all: local mode is refused in production. */
export function assertTeamsAllowed(config: Config): TeamsMode {
  const mode = teamsModeFor(config);
  if (!mode) {
    throw new ConfigError(
      'MICROSOFT_APP_ID: required for Teams in production. Without it the Teams endpoint would accept unauthenticated requests; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (see docs/teams.md).',
    );
  }
  return mode;
}

/** True for 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. Forwarded-for headers are never consulted. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** Endpoints and credentials that differ from Microsoft's public cloud: for sovereign clouds and tests. */
export interface TeamsAuthOverrides {
  /** The OpenID metadata document whose keys sign tokens from the channel. */
  openIdMetadataUrl?: string;
  /** Supplies the bearer token for outgoing calls instead of Microsoft Entra ID. */
  outboundToken?: (appId: string, audience: string | undefined) => Promise<string>;
}

/** Bot Framework authentication for the configuration, with botbuilder's hidden retries removed (see below). */
export function createTeamsAuthentication(
  config: Config,
  overrides: TeamsAuthOverrides = {},
): BotFrameworkAuthentication {
  const t = config.teams;
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: t.appId ?? '',
    MicrosoftAppPassword: t.appPassword ?? '',
    // botbuilder spells the managed-identity type "UserAssignedMsi" and compares without case. Local mode has no
    // app id, and botbuilder refuses SingleTenant (the default) without one: there is no tenant to name then.
    MicrosoftAppType: t.appId ? t.appType : 'MultiTenant',
    MicrosoftAppTenantId: t.tenantId ?? '',
  };
  if (t.certThumbprint) {
    if (!t.certKeyFile) {
      throw new ConfigError(
        'MICROSOFT_APP_CERT_KEY_FILE: required with MICROSOFT_APP_CERT_THUMBPRINT (the PEM private key).',
      );
    }
    let key: string;
    try {
      key = readFileSync(t.certKeyFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        'MICROSOFT_APP_CERT_KEY_FILE: the file cannot be read. Point it at the PEM private key.',
        {
          cause: error,
        },
      );
    }
    settings[AuthenticationConstants.CertificateThumbprint] = t.certThumbprint;
    settings[AuthenticationConstants.CertificatePrivateKey] = key;
    settings.MicrosoftAppPassword = '';
  }
  if (overrides.openIdMetadataUrl) {
    // Setting any endpoint switches botbuilder to "all endpoints given": the rest keep the public-cloud values.
    Object.assign(settings, {
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: overrides.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: overrides.openIdMetadataUrl,
      CallerId: 'urn:botframework:azure',
    });
  }
  const credentials = overrides.outboundToken
    ? new TokenCredentialsFactory(t.appId ?? '', overrides.outboundToken)
    : undefined;
  let inner: BotFrameworkAuthentication;
  try {
    inner = new ConfigurationBotFrameworkAuthentication(settings, credentials);
  } catch (error) {
    throw new ConfigError(`MICROSOFT_APP_ID: the Teams settings were refused: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new SingleRetryLayerAuthentication(inner);
}

/** True when an authentication failure means "not allowed" (answer 401) rather than "could not check" (503). */
export function isUnauthorized(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status !== 'number' || status < 500;
}

/** Outgoing credentials from a token function. */
class TokenCredentialsFactory extends ServiceClientCredentialsFactory {
  private readonly appId: string;
  private readonly token: (appId: string, audience: string | undefined) => Promise<string>;

  constructor(appId: string, token: (appId: string, audience: string | undefined) => Promise<string>) {
    super();
    this.appId = appId;
    this.token = token;
  }

  override async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  override async isAuthenticationDisabled(): Promise<boolean> {
    return !this.appId;
  }

  override async createCredentials(
    appId: string,
    audience: string | undefined,
  ): Promise<ServiceClientCredentials> {
    const token = this.token;
    return {
      async signRequest(resource) {
        resource.headers.set('authorization', `Bearer ${await token(appId, audience)}`);
        return resource;
      },
    };
  }
}

/**
 * botbuilder's HTTP pipeline retries 429 and 5xx answers on its own, out of sight. The Teams channel retries
 * with its own bounded policy and rate limiter (delivery.ts), so the pipeline's retry policy is removed from
 * every connector client; otherwise attempts would multiply and Retry-After would be honoured twice.
 */
class SingleRetryLayerAuthentication extends BotFrameworkAuthentication {
  private readonly inner: BotFrameworkAuthentication;

  constructor(inner: BotFrameworkAuthentication) {
    super();
    this.inner = inner;
  }

  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return result.connectorFactory
      ? { ...result, connectorFactory: new NoRetryConnectorFactory(result.connectorFactory) }
      : result;
  }

  override authenticateStreamingRequest(
    authHeader: string,
    channelIdHeader: string,
  ): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new NoRetryConnectorFactory(this.inner.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

class NoRetryConnectorFactory extends ConnectorFactory {
  private readonly inner: ConnectorFactory;

  constructor(inner: ConnectorFactory) {
    super();
    this.inner = inner;
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const client = await this.inner.create(serviceUrl, audience);
    removePipelineRetry(client);
    return client;
  }
}

/** Removes the pipeline's retry policy; a no-op (botbuilder's retries stay) if the client is shaped differently. */
export function removePipelineRetry(client: ConnectorClient): boolean {
  // The pipeline is private in botbuilder's typings; this reaches for it deliberately and checks its shape.
  const pipeline = (
    client as unknown as { client?: { pipeline?: { removePolicy?: (p: { name: string }) => unknown } } }
  ).client?.pipeline;
  if (typeof pipeline?.removePolicy !== 'function') return false;
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  return true;
}
