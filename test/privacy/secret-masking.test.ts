// Secret masking: passwords, one-time codes, keys and tokens, and card numbers are hidden before anything is
// stored or posted; ordinary sentences about passwords and codes are left alone.
import { describe, expect, it } from 'vitest';
import {
  ibanValid,
  luhnValid,
  maskFields,
  maskSecrets,
  secretWarning,
} from '../../src/privacy/secret-masking.ts';

describe('passwords', () => {
  it.each([
    ['my password is hunter2', 'my password is [password hidden]'],
    ['My Password Is Tr0ub4dor&3 please reset', 'My Password Is [password hidden] please reset'],
    ['pwd: S3cret!', 'pwd: [password hidden]'],
    ['password=abc123', 'password=[password hidden]'],
    ['new password was Winter2026!', 'new password was [password hidden]'],
    ['the wifi password is "Guest 2024"', 'the wifi password is [password hidden]'],
    ['user alice pass hunter22', 'user alice pass [password hidden]'],
  ])('hides the password in %j', (input, expected) => {
    const result = maskSecrets(input);
    expect(result.text).toBe(expected);
    expect(result.found).toEqual(['password']);
  });

  it.each([
    'my password is not working',
    'my password expired yesterday',
    'I forgot my password',
    'the password is wrong apparently',
    'password reset please',
    'can you pass the message on',
  ])('leaves %j alone', (input) => {
    expect(maskSecrets(input)).toEqual({ text: input, found: [] });
  });
});

describe('one-time codes', () => {
  it.each([
    ['the code is 123456', 'the code is [code hidden]'],
    ['code 123456', 'code [code hidden]'],
    ['my verification code: 482 913', 'my verification code: [code hidden]'],
    ['OTP 9921', 'OTP [code hidden]'],
    ['my pin is 4821', 'my pin is [code hidden]'],
  ])('hides the code in %j', (input, expected) => {
    expect(maskSecrets(input)).toEqual({ text: expected, found: ['code'] });
  });

  it.each(['error code 80070005', 'it shows code 404', 'the zip code 902101', 'room 123456 is cold'])(
    'leaves %j alone',
    (input) => {
      expect(maskSecrets(input).found).toEqual([]);
    },
  );
});

describe('keys and tokens', () => {
  it.each([
    'sk-proj-abcdefghijklmnop1234',
    'sk-abcdefghijklmnopqrstuvwx',
    'xoxb-1234567890-abcdefghij',
    'xapp-1-A012345-abcdefghij',
    'AKIAIOSFODNN7EXAMPLE',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'glpat-abcdefghij1234567890',
    'AIzaSyA1234567890abcdefghijklmnopqrstuv',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop',
    'd41d8cd98f00b204e9800998ecf8427e',
    'aGVsbG8gd29ybGQgdGhpcyBpcyBhIHNlY3JldCBrZXk9PQ1x',
  ])('hides %s', (secret) => {
    const result = maskSecrets(`here it is: ${secret} thanks`);
    expect(result.text).not.toContain(secret);
    expect(result.text).toContain('[key hidden]');
    expect(result.found).toEqual(['key']);
  });

  it('keeps the label of "api key: ..." and hides the value', () => {
    expect(maskSecrets('api_key=abcDEF1234567890xyz').text).toBe('api_key=[key hidden]');
  });

  it('hides a whole private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----';
    expect(maskSecrets(`key:\n${pem}\nend`).text).toBe('key:\n[key hidden]\nend');
  });

  it('leaves long web addresses and ordinary long words alone', () => {
    const url =
      'https://example.sharepoint.com/sites/FinanceTeam/Shared%20Documents/AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    expect(maskSecrets(`see ${url}`).found).toEqual([]);
    expect(maskSecrets('internationalisation-and-localisation-guidelines').found).toEqual([]);
  });
});

describe('card numbers', () => {
  it('checks numbers with the Luhn algorithm', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
  });

  it.each([
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '4111111111111111',
    '378282246310005',
    '6011111111111117',
  ])('hides the card number %s', (card) => {
    expect(maskSecrets(`card ${card} exp 12/28`)).toEqual({
      text: 'card [card number hidden] exp 12/28',
      found: ['card'],
    });
  });

  it('leaves numbers that fail the check, and long runs of one digit, alone', () => {
    expect(maskSecrets('order 4111111111111112').found).toEqual([]);
    expect(maskSecrets('0000000000000000').found).toEqual([]);
  });
});

describe('bank accounts, identity numbers, card codes and web addresses', () => {
  it('checks IBANs with the mod-97 rule', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
  });

  it.each([
    ['IBAN DE89 3704 0044 0532 0130 00 please', 'IBAN [bank account hidden] please', 'bank'],
    ['my SSN is 123-45-6789', 'my SSN is [id number hidden]', 'id'],
    ['CVV 123 on my card', 'CVV [card code hidden] on my card', 'card'],
    [
      'see https://admin:S3cret@intranet.example.com/x',
      'see https://admin:[password hidden]@intranet.example.com/x',
      'password',
    ],
  ])('hides %j', (input, expected, kind) => {
    expect(maskSecrets(input)).toEqual({ text: expected, found: [kind] });
  });
});

describe('around masking', () => {
  it('reports every kind found once, and masks each string field of a form', () => {
    const { values, found } = maskFields({
      title: 'VPN broken',
      description: 'password: hunter2 and code 123456',
      note: 'card 4111 1111 1111 1111',
    });
    expect(values).toEqual({
      title: 'VPN broken',
      description: 'password: [password hidden] and code [code hidden]',
      note: 'card [card number hidden]',
    });
    expect(found.sort()).toEqual(['card', 'code', 'password']);
  });

  it('tells the user what was hidden and how to share it safely', () => {
    const text = secretWarning(['password', 'card']);
    expect(text).toMatch(/a password and card details/);
    expect(text).toMatch(/never share/);
    expect(text).toMatch(/call you|password manager/);
  });
});
