// Parsing one article: a bad file is rejected with a message naming the file and the field at fault.
import { describe, expect, it } from 'vitest';
import { KbError } from '../../src/errors.ts';
import { parseArticle } from '../../src/kb/article.ts';

const body = '\nA short intro that says what this is about.\n\n## Steps\n1. Do the first thing.\n';

function errorOf(source: string, file = 'guides/vpn.md'): KbError {
  try {
    parseArticle(source, file);
  } catch (error) {
    if (error instanceof KbError) return error;
    throw error;
  }
  throw new Error('expected the article to be rejected');
}

describe('parseArticle', () => {
  it('reads the front matter, intro and sections of a valid article', () => {
    const article = parseArticle(
      `---\ntitle: Connect to the VPN\ntags: [vpn]\nquestions:\n  - how do I connect\n---${body}`,
      'vpn.md',
    );
    expect(article.id).toBe('vpn');
    expect(article.title).toBe('Connect to the VPN');
    expect(article.intro).toBe('A short intro that says what this is about.');
    expect(article.sections).toEqual([{ heading: 'Steps', text: '1. Do the first thing.' }]);
  });

  it('names the file and the field when the title is too short', () => {
    const error = errorOf(`---\ntitle: Hi\n---${body}`);
    expect(error.message).toContain('guides/vpn.md');
    expect(error.message).toContain('field "title"');
    expect(error.code).toBe('kb_invalid');
  });

  it('names an unknown front-matter field and lists the allowed ones', () => {
    const error = errorOf(`---\ntitle: Connect to the VPN\nauthor: Sam\n---${body}`);
    expect(error.message).toMatch(/guides\/vpn\.md: .*unknown field\(s\) author/);
    expect(error.message).toContain('allowed: id, title, tags, questions, owner, updated');
  });

  it('names the field when a tag list is not a list', () => {
    const error = errorOf(`---\ntitle: Connect to the VPN\ntags: vpn\n---${body}`);
    expect(error.message).toContain('field "tags"');
  });

  it('says the front matter is not valid YAML', () => {
    const error = errorOf(`---\ntitle: [unclosed\n---${body}`);
    expect(error.message).toContain('guides/vpn.md: the front matter is not valid YAML');
  });

  it('asks for front matter when the file has none', () => {
    expect(errorOf('# Just a heading\nSome text that is long enough.').message).toContain(
      'missing front matter',
    );
  });

  it('rejects an article whose body is only headings', () => {
    const error = errorOf('---\ntitle: Connect to the VPN\n---\n## Steps\n## More\n');
    expect(error.message).toContain('guides/vpn.md: the article body is empty');
  });
});
