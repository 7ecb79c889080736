// Headers on every response (through helmet): a strict Content-Security-Policy that forbids framing, nosniff,
// a same-origin referrer policy, and HSTS when PUBLIC_URL is https.
import helmet from 'helmet';

/** The helmet middleware for a server reached at `publicUrl`. */
export function securityHeaders(publicUrl: string) {
  const https = publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // A same-origin Referer and Origin keep the cross-site check working; other sites learn nothing of our URLs.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: https ? { maxAge: 15_552_000 } : false,
    xFrameOptions: { action: 'deny' },
  });
}
