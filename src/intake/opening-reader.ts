// The one reader of what people type to start something: which job it is (an answer, a request, a problem report),
// the kind of request from the whole sentence, a short title, and the details already given (what is named,
// dates in words, urgency, impact, a person it is for). The chat, the forms' pre-fill, the model-assisted
// extraction and `itbuddy intake parse` all use it.
import { truncate } from '../messages/markdown.ts';
import { isAccessRemoval, removalChange, removalOf } from './access-removal.ts';
import { mentionsSince, readDateWords } from './date-words.ts';
import { groupResourceTitle, isGroupResourceAsk } from './group-resource.ts';
import { collectionOf, isPlace, placesIn } from './place-words.ts';
import { missingSteps, type PlanNotes, type PlanStep } from './question-plan.ts';
import {
  emptyDraft,
  type Impact,
  maxLengths,
  type RequestDraft,
  type RequestKind,
  type Urgency,
} from './request-schema.ts';

/**
 * `answer`: a how-to question for the knowledge base. `request`: start a request now (an explicit ask, an idea,
 * an outage, or an urgent or wide problem). `problem`: a problem report — the matching article with "Still stuck?
 * Ask IT", or a request when no article fits.
 */
export type OpeningRoute = 'answer' | 'request' | 'problem';

/** Everything read from one opening message. */
export interface OpeningReading {
  route: OpeningRoute;
  draft: RequestDraft;
  notes: PlanNotes;
  /** Someone the request is for or about, other than the sender. */
  person: string | null;
  /** Questions the conversation would ask next, most important first. */
  missing: PlanStep[];
}

/** Where and when the words were written: relative dates are read in the user's calendar. */
export interface ReadingContext {
  now: Date;
  timeZone: string;
}

// ── Vocabulary ────────────────────────────────────────────────────────────────────────────────────────────────
const softwareNames =
  /\b(visio|photoshop|illustrator|indesign|premiere|acrobat(?: pro)?|adobe [a-z]+|power ?bi(?: pro)?|tableau(?: desktop)?|figma|miro|zoom|slack|teams|outlook|excel|word|powerpoint|onenote|(?<!\bout[ -]of[ -])office(?: 365)?|autocad|sketch|xcode|docker(?: desktop)?|python|vs ?code|visual studio(?: code)?|jetbrains|intellij|pycharm|lucidchart|snagit|camtasia|spss|matlab|notepad\+\+|spotify|loom|grammarly|chrome|firefox|jira|confluence|salesforce|sap|xero|github|gitlab|notion|trello|asana|dropbox|1password|lastpass|webex|skype)\b/i;
/** True when the words start with a product's name ("Visio", "Power BI"), which is never a person. */
export function isProductName(text: string): boolean {
  return softwareNames.exec(text)?.index === 0;
}
const softwareWords =
  /\b(install(?:ed|ing)?|software|licen[cs]es?|app|application|program|subscription|plug-?in|add-?in|extension|upgrade to)\b/i;
const devices =
  /\b(laptops?|monitors?|screens?|keyboards?|mouse|mice|headsets?|headphones|dock(?:ing station)?s?|desk ?phones?|phones?|printers?|scanners?|chargers?|webcams?|cameras?|computers?|desktops?|pcs?|macs?|macbooks?|tablets?|ipads?|cables?|adapters?|battery|batteries|projectors?|tv screen|tvs?|shredders?|chairs?|standing desk(?: converter)?|privacy screen|equipment|devices?|speakers?|microphones?|badges?|usb sticks?|hard drives?)\b/i;
const systems =
  /\b(shared (?:drive|folder|mailbox|inbox|calendar)|[a-z]+ (?:drive|folder|share|mailbox|inbox|site|workspace|dashboard|channel|portal|console|database|repo|repository|server)|sharepoint(?: site)?|intranet|crm|erp|vpn|wifi|wi-fi|email|network|internet|website|booking (?:system|website)|payroll(?: system)?|distribution list|github(?: org)?|jira|confluence|sap|xero|salesforce|tableau|figma|power ?bi|archive drive|board pack folder|analytics workspace|guest account|admin rights|account)\b/i;

const questionStart =
  /^(?:how|what|whats|what's|where|why|when|which|who|whom|is there|are there|does|do|did|should|would|will|am i|are|is)\b/i;
const howTo =
  /\b(?:how (?:do|can|to|would|should)|what(?:'s| is) the (?:process|best way)|where (?:do|can) i)\b/i;
/**
 * A how-to question typed in the middle of a request ("how do I share my calendar"): a question for the answers,
 * not an answer to the request's question. A question word alone is not enough ("when I log in" answers "since
 * when?"): it takes a how-to phrase, or a question word and a question mark, and no ask for IT to do something.
 */
export function isHowToAside(text: string): boolean {
  const t = text.trim();
  const shaped =
    howTo.test(t) ||
    (/^(?:how|what|whats|what's|where|why|which|is there|are there|can i|could i)\b/i.test(t) &&
      /\?$/.test(t));
  return shaped && !isExplicitAsk(t) && !ideaCue.test(t);
}

// "can I have / could we get" asks for something; "can I use" asks whether it is allowed.
const askFor =
  /(?:^|[,.;:!?]\s*)(?:(?:hi|hey|hello)[,!]?\s+)?(?:but\s+|so\s+|and\s+)?(?:please\s+)?(?:can|could|may)\s+(?:i|we|my (?:whole )?team|our team)\s+(?:please\s+)?(?:get|have|be given|be added|order|borrow)\b/i;
const askYou =
  /\b(?:can|could|would)\s+(?:you|someone|somebody|it|you guys)\s+(?:please\s+)?(?!tell|show|explain|help me understand|let me know)(?:[a-z]+)\b/i;
const needSomething =
  /\b(?:[Ii]|[Ww]e|[Ss]he|[Hh]e|[Tt]hey|[A-Z][a-z]+(?: from [a-z]+)?|(?:[Mm]y|[Oo]ur|[Tt]he)(?: whole| entire)?(?: [a-z]+)? (?:team|department|office|company|staff)(?: of [a-z0-9]+)?)\s*(?:'ll|’ll|'d|’d| will| would| really| urgently| still| also)?\s*(?:need|needs|want|wants|would like|'d like|’d like|'d love|’d love|require|requires)\s+(?!to\b(?!\s+(?:get|have|be given|be added|order|borrow)\b)|help\b|some help\b|advice\b|info\b|information\b|instructions?\b|a hand\b)\S/;
// "our new starter next week needs a laptop", "the intern will need access": someone named by their role needs a
// thing (not "needs to", which is usually a step of a how-to).
const roleNeeds =
  /\b(new (?:starter|hire|joiner|colleague|employee|team member)|starter|joiner|intern|apprentice|contractor|temp|colleague|manager|boss|assistant)s?\b(?:\s+[a-z0-9]+){0,3}?\s+(?:needs|will need|'ll need|’ll need|requires|is going to need)\s+(?!to\b|help\b|advice\b|info\b|information\b)\S/i;
const needStart = /^(?:need|needs|urgently need|requesting|new request)\b/i;
const pleaseDo =
  /(?:^|[,.;:]\s*|\bplease\s+)(?:please\s+)?(?:install|give|grant|add|order|set up|setup|create|provide|buy|purchase|remove|move|change|forward|archive|restore|renew|deliver|collect|pick up|take away|get rid of|dispose of|recycle|clear away|clear out|unlock|reset|delete|enable|disable|upgrade|replace|fix|update|rename|send)\b/i;
const imperative =
  /^(?:please\s+)?(?:install|give|grant|add|order|set up|setup|create|provide|remove|move|change|forward|archive|restore|renew|deliver|collect|pick up|take away|get rid of|dispose of|recycle|clear away|clear out|unlock|enable|replace|fix|rename)\b/i;
const politeEnd = /\bplease[.!]?$/i;
const ideaCue =
  /\b(?:idea|ideas|suggest(?:ion)?|propos(?:e|al)|feature request|it would be (?:great|nice|good|useful) if|we should|what if we|we'?d love|could (?:it|we) (?:build|look into)|look into|is (?:that|this) something it could|could it build|replace the [a-z ]+ system|automat(?:e|ed|ing)|talk about a project|could be (?:improved|automated|simpler|digital))\b/i;
const damage =
  /\b(?:cracked|smashed|shattered|broke|broken|snapped|bent|spilled|died|dead|won'?t (?:turn|switch|power) on|fell)\b/i;
const failure =
  /\b(?:stopped working|not working|isn'?t working|doesn'?t work|don'?t work|won'?t|can'?t|cannot|couldn'?t|unable to|keeps? [a-z]+ing|keep [a-z]+ing|crash(?:es|ed|ing)?|freez(?:es|ing)|error|errors|offline|jamming|jammed|disconnect(?:s|ing)|dropping|flicker(?:s|ing)?|not detected|isn'?t detected|isn'?t syncing|not syncing|slow|loud|broken|fail(?:s|ed|ing)?|stuck|down|lost (?:internet|network|connection)|no (?:network|internet|signal)|missing|access denied|won'?t pair|out of (?:toner|paper|ink)|went (?:black|blank|dead)|black screen|blue screen|(?:isn'?t|aren'?t|won'?t|doesn'?t) (?:open|load|start|boot|print|connect|charge|show|sync)(?:ing)?)\b/i;
// Something that keeps going wrong: "drops every few minutes", "keeps disconnecting", "cuts out", "freezes all
// the time", "randomly restarts". Words that are a fault on their own, and everyday verbs ("drops", "restarts",
// "logs me out") that are one when they come with how often or "by itself".
const recurringFault =
  /\b(?:drops? (?:out|off)|dropp(?:ed|ing) (?:out|off)|cuts? (?:out|off)|cutting (?:out|off)|lag(?:s|gy|ging)|stutter(?:s|ing)|glitch(?:es|ing|y)|flaky|intermittent(?:ly)?|times? out|timing out|hangs|hanging|(?:randomly|constantly|repeatedly|sporadically|occasionally|suddenly) (?:[a-z]+s|goes|turns|shuts|logs)\b)\b/i;
const recurringVerb =
  /\b(?:drops|disconnects|restarts|reboots|shuts (?:down|off)|turns (?:off|itself off)|switches off|logs (?:me|us|people) out|kicks (?:me|us|people) (?:out|off)|goes (?:offline|blank|black|dark|down)|freezes|crashes|closes|dies|resets|loses (?:connection|signal|the connection))\b/i;
const howOften =
  /\b(?:every (?:few |couple of |\d+ |other )?(?:minutes?|mins?|seconds?|hours?|days?|times?|call|meeting|morning)|all the time|constantly|randomly|at random|by itself|on its own|again and again|over and over|several times|multiple times|a few times|(?:\d+|two|three|four|five|ten) times|(?:twice|three times|many times) (?:a|an|per) [a-z]+|mid-?(?:call|meeting|sentence)|in the middle of|for no reason|without warning|whenever|each time|on and off)\b/i;

/** True when the words describe something that keeps going wrong, rather than ask how to do something. */
function isRecurringFault(text: string): boolean {
  return recurringFault.test(text) || (recurringVerb.test(text) && howOften.test(text));
}
const down =
  /\b(?:is|are|went|goes|has gone|seems?)\s+(?:all\s+)?(?:down|offline)\b|\bdown (?:for|across)\b|\b(?:lost|has no|have no|no) (?:internet|network|connection|wifi)\b|\boutage\b|\ball offline\b/i;
const many =
  /\b(?:everyone|everybody|nobody|no one|anyone|all of (?:us|customer services|[a-z]+)|all staff|all offices|whole|entire|the building|across|customers)\b/i;
const selfService = /\b(?:password|passcode|out of office|wi-?fi password)\b/i;

const ownDevice =
  /\bmy\s+(?:[a-z]+\s+)?(?:laptop|phone|mobile|monitor|screen|keyboard|mouse|headset|charger|webcam|dock|docking station|tablet|ipad|macbook|computer|pc|desktop)s?\b/i;

// ── Kind ─────────────────────────────────────────────────────────────────────────────────────────────────────
const accessCue =
  /\b(?:access|permissions?|rights|mfa|2fa|authenticator|multi-factor|added to|add me to|be added|log ?in to|login|account|unlock|locked out|see the shared|membership|remove [A-Z][a-z]+ from|add [A-Z][a-z]+ to|give [A-Z][a-z]+ (?:from [a-z]+ )?access)\b/;
const newThing =
  /\b(?:new|another|replacement|spare|second|bigger|more|extra|two more|\d+)\s+(?:[a-z]+\s+)?(?:laptops?|monitors?|screens?|keyboards?|mouse|mice|headsets?|chargers?|battery|batteries|phones?|webcams?|docking stations?|chairs?|one)\b|\b(?:collect|pick up|deliver|dispose)/i;
const otherTask =
  /\b(?:set up|setup|create|change|move|forward|archive|restore|rename|signature|display name|distribution list|channel|extension|mailbox|site)\b/i;

function kindOf(text: string, problem: boolean): RequestKind | null {
  if (ideaCue.test(text)) return 'project';
  if (isAccessRemoval(text, isNotAPerson)) return 'access';
  if (isGroupResourceAsk(text.replace(requestLabel, ''))) return 'other';
  // A broken device to be replaced or taken away ("collect my broken monitor") is hardware, not an incident.
  if (problem && !(devices.test(text) && (newThing.test(text) || collectionOf(text)))) {
    // "locked out of the CRM, please reset my account" is access; a broken thing is an incident.
    if (/\b(?:locked out|access denied)\b/i.test(text) && accessCue.test(text)) return 'access';
    return 'incident';
  }
  if (accessCue.test(text) || /\baccess\b/i.test(text)) return 'access';
  if (/\b(?:fix|fixed|repair(?:ed)?)\b/i.test(text)) return 'incident';
  if (softwareWords.test(text) || softwareNames.test(text)) {
    if (devices.test(text) && !softwareWords.test(text) && !/\bon (?:my|the|a)\b/i.test(text))
      return 'hardware';
    if (otherTask.test(text) && !softwareWords.test(text)) return 'other';
    return 'software';
  }
  if (devices.test(text) && !/\b(?:extension|display name|signature)\b/i.test(text)) return 'hardware';
  if (otherTask.test(text)) return 'other';
  return null;
}

// ── Urgency and impact ───────────────────────────────────────────────────────────────────────────────────────
function urgencyOf(text: string, outage: boolean, neededBy: string | null, today: string): Urgency | null {
  if (
    /\b(?:not urgent|no rush|no hurry|whenever|low priority|when you (?:can|get a chance)|not a priority|whenever it suits|in your own time)\b/i.test(
      text,
    )
  )
    return 'low';
  if (outage || /\b(?:critical|emergency|production (?:is )?down|nobody can work)\b/i.test(text))
    return 'critical';
  if (
    /\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|immediately|right away|right now|high priority|can'?t work|cannot work|unable to work|blocked|blocking|yesterday|presenting|in (?:an?|\d+|a few) (?:hours?|minutes?|mins?)|deadline (?:at|is today)|client call|today)\b/i.test(
      text,
    )
  )
    return 'high';
  // Something fixed later today ("a board presentation at 2pm") makes it urgent.
  if (
    /\b(?:presentation|presenting|meeting|call|interview|demo|deadline|exam|training)\b[^.]*\bat\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)?\b/i.test(
      text,
    )
  )
    return 'high';
  if (neededBy && daysBetween(today, neededBy) <= 1) return 'high';
  if (/\b(?:this week|soon|sometime this week|normal priority|medium)\b/i.test(text)) return 'medium';
  return null;
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Who is affected, from cues like "only me", "my team of eight", "the whole warehouse", "everyone"; or null. */
export function impactOf(text: string): Impact | null {
  if (
    /\b(?:everyone|everybody|anyone|all staff|all offices|company[-\s]wide|(?:whole|entire|the) company|nobody (?:in|can get into) the building|the building|customers)\b/i.test(
      text,
    )
  )
    return 'company';
  if (
    // A named group bigger than a team: "the whole warehouse", "all of customer services", "our department".
    /\b(?:(?:the\s+)?(?:whole|entire)\s+(?:[a-z0-9]+\s+){0,2}(?:department|warehouse|floor|office|division|site|branch|building wing)|(?:our|my|the|whole|entire) (?:[a-z]+ )?department|department[-\s]wide|all of (?:customer services|finance|sales|hr|accounts|support|marketing|[a-z]+ services)|(?:the )?warehouse (?:[a-z]+ )?(?:are|is) (?:all )?(?:down|offline)|(?:the )?warehouse[^.]*\bnobody\b)/i.test(
      text,
    )
  )
    return 'department';
  if (
    /\b(?:team|all of us|we all|the interns|my colleagues)\b/i.test(text) &&
    !/\bteams\b/i.test(text.replace(/\bteam's\b/gi, 'team'))
  )
    return 'team';
  if (/\b(?:team|all of us)\b/i.test(text)) return 'team';
  if (/\b(?:just|only) (?:me|for me|mine|my)\b|\bonly affects me\b|\bjust for me\b/i.test(text)) return 'me';
  return null;
}

// ── Person ───────────────────────────────────────────────────────────────────────────────────────────────────
const notNames = new Set([
  'I',
  'IT',
  'Please',
  'Can',
  'Could',
  'Hi',
  'Hey',
  'Our',
  'My',
  'The',
  'We',
  'For',
  'Add',
  'Give',
  'New',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
  'Teams',
  'Outlook',
  'Excel',
  'Word',
  'Slack',
  'Zoom',
  'Jira',
  'Visio',
]);

/** A capitalised word that is not a person ("The", "Teams", "Monday"), so "remove Teams from startup" names nobody. */
function isNotAPerson(word: string): boolean {
  return notNames.has(word) || isProductName(word);
}

/** A person named for someone else ("for our new hire Sam", "add Jo to …"), or null. */
export function personOf(text: string): string | null {
  const patterns = [
    /\b(?:new (?:hire|starter|joiner|colleague)|contractor|colleague|intern|temp)\s+([A-Z][a-z]+)\b/,
    /\b(?:add|give|remove|grant)\s+([A-Z][a-z]+)\b(?=\s+(?:from|to|access|rights|permission|in|on|the|a|an|\w+ access))/,
    /\b(?:for|account for|phone for|laptop for)\s+([A-Z][a-z]+)\b(?!\s+(?:office|team|department|project))/,
    /(?:^|[.!?]\s+)([A-Z][a-z]+)(?:\s+from\s+[a-z]+)?\s+(?:needs|starts|will need|'ll need|is starting|joins|is joining)\b/,
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && !notNames.has(m[1]!) && !softwareNames.test(m[1]!)) return m[1]!;
  }
  return null;
}

// ── Subject and title ────────────────────────────────────────────────────────────────────────────────────────
function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function subjectOf(text: string, kind: RequestKind | null): string | null {
  if (kind === 'software') {
    const known = softwareNames.exec(text);
    if (known) return tidyName(known[1]!);
    const named =
      /\b(?:licen[cs]e for|install|installed|need|have|get|want|like|renew (?:my|our)?)\s+(?:a |an |the |some )?(?:new )?([A-Z][\w+.#-]*(?:\s+[A-Z][\w+.#-]*)*)/.exec(
        text,
      ) ?? /\b([A-Z][\w+.#-]+(?:\s+[A-Z][\w+.#-]+)*)\s+(?:licen[cs]es?|installed|on my)\b/.exec(text);
    return named ? named[1]! : null;
  }
  if (kind === 'access') {
    const s = systems.exec(text) ?? softwareNames.exec(text);
    if (s) return s[0];
    // "access to the AWS console", "rights on Snowflake": the name after the preposition.
    const named =
      /\b(?:access to|rights (?:on|to)|added to|permissions? (?:on|to|for))\s+(?:the\s+)?([A-Za-z0-9][\w.-]*(?:\s+(?!by\b|before\b|from\b|asap\b|please\b)[A-Za-z0-9][\w.-]*){0,2})/i.exec(
        text,
      );
    return named ? named[1]! : (/\b(mfa|2fa|authenticator)\b/i.exec(text)?.[1]?.toUpperCase() ?? null);
  }
  if (kind === 'hardware' || kind === 'incident') {
    // "laptop screen", "laptop charger": the part is the subject, named with its device.
    const d = new RegExp(`${devices.source}\\s+${devices.source}`, 'i').exec(text) ?? devices.exec(text);
    if (!d) return null;
    // Keep the word that says which one: "second monitor", "new battery", "wireless keyboard".
    const before =
      /\b(second|new|bigger|spare|extra|replacement|wireless|standing|external|larger)\s+$/i.exec(
        text.slice(0, d.index),
      );
    return `${before && kind === 'hardware' ? `${before[1]!.toLowerCase()} ` : ''}${d[0].toLowerCase()}`;
  }
  return null;
}

function tidyName(name: string): string {
  const known: Record<string, string> = {
    'power bi': 'Power BI',
    powerbi: 'Power BI',
    'vs code': 'VS Code',
    vscode: 'VS Code',
    spss: 'SPSS',
    sap: 'SAP',
  };
  const lower = name.toLowerCase();
  return known[lower] ?? name.split(/\s+/).map(capitalise).join(' ');
}

// "Ugh, outlook keeps crashing", "ok so the printer…": how someone feels or starts talking, not what the request is.
const interjection = /^(?:(?:ugh+|argh+|sigh|omg|um+|erm+|ok|okay|so|right|hi|hey|hello)\b[,!.]*\s+)+/i;
const leadIns =
  /^(?:(?:hi|hey|hello)(?: it ?buddy)?[,!.]?\s+)?(?:new request:\s*|requesting\s+|proposal:\s*|suggestion:\s*|new idea:\s*|idea:\s*|i have an idea:?\s*)?(?:please\s+)?(?:(?:can|could|may|would)\s+(?:i|we|you|someone)\s+(?:please\s+)?(?:get|have|be given|be added to|order|install|set up|give me|give|collect)?\s*|(?:i|we|our team|my team)\s+(?:really\s+|urgently\s+|also\s+)?(?:need|want|would like|'d like|’d like|require)\s+(?:to\s+(?:get|have|be given|be added to|order|request)\s+)?|i'?d like to (?:request|propose)\s+|need\s+|urgently need\s+)(?:to\s+(?:propose|suggest)\s+(?:that\s+)?)?/i;

/** The access level asked for ("edit rights", "read-only access", "admin rights"), or null when not stated. */
export function accessLevelOf(text: string): string | null {
  const noun = String.raw`\s+(?:access|rights|permissions?|permission)\b`;
  if (
    new RegExp(String.raw`\b(?:admin|administrator|owner|full control)${noun}|\bfull control\b`, 'i').test(
      text,
    )
  )
    return 'Admin';
  if (
    new RegExp(String.raw`\b(?:edit|editing|write|modify|contributor|read[- /]write)${noun}`, 'i').test(text)
  )
    return 'Edit';
  if (new RegExp(String.raw`\b(?:read[- ]only|view[- ]only|read|view(?:ing)?)${noun}`, 'i').test(text))
    return 'Read only';
  return null;
}

/** "my manager Jo approved", "approved by my boss": a stated manager approval, or null. */
export function approvalOf(text: string): string | null {
  return /\b(?:manager|boss|line manager|head of [a-z]+|director)\b(?:\s+[A-Z][a-z]+)?\s+(?:has\s+|already\s+|has already\s+)?(?:approved|signed (?:it |this )?off|okayed|ok'?d|agreed)\b|\b(?:approved|signed off) by (?:my|our) (?:line )?(?:manager|boss)\b/i.test(
    text,
  )
    ? 'Yes'
    : null;
}

const notSponsors = /^(?:I|We|They|He|She|It|This|That|Someone|Somebody|Nobody)$/;

/** A project's benefit and sponsor when the idea states them ("would save hours a week", "Sam would sponsor it"). */
export function projectDetailsOf(text: string): { benefit: string | null; sponsor: string | null } {
  const benefit =
    /\b(?:would|will|could|it'?d|might)\s+((?:save|cut|reduce|free up|speed up|avoid|halve|remove|eliminate|improve|stop)\b[^,.;!?]*)/i.exec(
      text,
    )?.[1];
  const name = String.raw`([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?(?:\s+(?:from|in)\s+[A-Za-z]+)?)`;
  const sponsor = [
    new RegExp(
      String.raw`\b${name}\s+(?:would|will|could|can|has agreed to|agreed to|is happy to|offered to|wants to|would be happy to)\s+sponsor\b`,
    ),
    new RegExp(String.raw`\bsponsored by\s+${name}`),
    new RegExp(String.raw`\b[Ss]ponsor(?:\s+is|\s+would be|\s+will be|:)\s+${name}`),
    new RegExp(String.raw`\b${name}\s+(?:is|as)\s+(?:the\s+|our\s+)?sponsor\b`),
  ]
    .map((re) => re.exec(text)?.[1])
    .find((who) => who !== undefined && !notSponsors.test(who.split(/\s+/)[0]!));
  // "…would save hours a week and Sam from ops would sponsor it": the sponsor's clause is not part of the benefit.
  const ownClause = benefit
    ? /\s+(?:and|but|so|while)\s+(?:[A-Z][a-z]+|[Ii]|[Ww]e|[Tt]hey|[Hh]e|[Ss]he)\b(?=(?:\s+\S+){0,3}?\s+(?:would|will|could|can|has|is|agreed|offered|wants|'d|'ll)\b)/.exec(
        benefit,
      )
    : null;
  const benefitText = ownClause ? benefit!.slice(0, ownClause.index) : benefit;
  return {
    benefit: benefitText ? capitalise(benefitText.trim()) : null,
    // A sponsor named with a role ("Dana (Head of Ops)") says more than the bare name.
    sponsor: sponsorByRoleOf(text) ?? sponsor ?? null,
  };
}

// Senior roles that sponsor work: "the COO", "our CFO", "the head of ops", "the finance director".
const role = `(?:C[A-Z]{1,3}O|MD|VP(?: of)? [A-Za-z]+|[Mm]anaging [Dd]irector|[Gg]eneral [Mm]anager|[Cc]hief [A-Za-z]+ [Oo]fficer|[Hh]ead of [A-Za-z]+(?: [A-Za-z]+)?|[Dd]irector of [A-Za-z]+|(?:[A-Za-z]+ )?[Dd]irector|[Dd]epartment head|[Ff]ounder|[Pp]artner|[Bb]oard|(?:line )?manager|boss)`;
// A name with the role beside it: "Sarah the COO", "Sarah, our CFO,", "Dana (Head of Ops)".
const sponsorWho = String.raw`(?:([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:,?\s+(?:the|our)\s+(${role}),?|\s*\((${role})\))?|((?:[Tt]he|[Oo]ur|[Mm]y)\s+${role}))`;
const sponsorForms = [
  // "Sarah the COO could sponsor it", "the COO is backing it", "our CFO has agreed to champion this".
  String.raw`\b${sponsorWho}\s+(?:would|will|could|can|might|has agreed to|agreed to|is happy to|offered to|wants to|would be happy to|is willing to|is keen to|is going to)\s+(?:sponsor|back|champion)\b(?!\s+up\b)`,
  String.raw`\b${sponsorWho}\s+(?:is|'s|’s|are)\s+(?:already\s+|happy\s+|keen\s+)?(?:sponsoring|backing|championing)\b`,
  String.raw`\b${sponsorWho}\s+(?:sponsors|backs|champions)\s+(?:it|this|the)\b`,
  // "sponsored by the CFO", "backed by Dana (Head of Ops)".
  String.raw`\b(?:sponsored|backed|championed)\s+by\s+${sponsorWho}`,
  // "our sponsor would be Dana (Head of Ops)", "sponsor: the CFO", "with the COO as sponsor".
  String.raw`\b(?:[Oo]ur|[Tt]he|[Aa]n?|[Mm]y)\s+(?:exec(?:utive)?\s+)?sponsor\s*(?:would be|will be|could be|is|:|=|[–—-])\s*${sponsorWho}`,
  String.raw`\b[Ss]ponsor\s*[:=–—-]\s*${sponsorWho}`,
  String.raw`\b${sponsorWho}\s+as\s+(?:the\s+|our\s+)?(?:exec(?:utive)?\s+)?sponsor\b`,
].map((source) => new RegExp(source));

/** A sponsor named with a role or by role alone ("Sarah (COO)", "CFO", "Head of Ops"); null when none is stated. */
function sponsorByRoleOf(text: string): string | null {
  for (const re of sponsorForms) {
    const m = re.exec(text);
    if (!m) continue;
    const [, name, roleBeside, roleInBrackets, roleAlone] = m;
    if (name && notSponsors.test(name.split(/\s+/)[0]!)) continue;
    const title = roleBeside ?? roleInBrackets;
    if (name) return title ? `${name} (${title})` : name;
    // "the CFO" is the CFO; "my manager" stays whose manager it is.
    if (roleAlone) return capitalise(roleAlone.replace(/^(?:the|our)\s+(?!(?:line )?manager|boss)/i, ''));
  }
  return null;
}

// How long something has been so ("for weeks", "for a few days", "for the last two months", "for ages") says
// nothing about why it is needed: every word is a length of time or a word that counts or qualifies one.
const timeUnit =
  /^(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|ages|ever|while|time|moment|now|good|yonks|decades?)$/i;
const timeWord =
  /^(?:a|an|the|few|couple|of|several|many|some|last|past|next|over|about|around|nearly|almost|more|than|at|least|whole|entire|long|so|too|good|being|now|already|quite|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple)$/i;

function isDuration(words: string): boolean {
  const list = words.trim().split(/\s+/);
  return list.some((w) => timeUnit.test(w)) && list.every((w) => timeUnit.test(w) || timeWord.test(w));
}

/** What the thing is for, from "for process maps" / "for the training video"; generic ones ("for a project"),
 * lengths of time ("for weeks") and places ("for my desk") left out. */
export function purposeOf(text: string): string | null {
  const forWhat =
    /\bfor\s+((?:a |an |the |our |my )?[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,3}?)(?=[,.;!?]|\s+(?:by|before|on|asap|please|next|this|and|from|—|-)\b|$)/gi;
  for (const m of text.matchAll(forWhat)) {
    // "for weeks" is how long, "for my desk" is where: neither says why.
    if (isDuration(m[1]!) || isPlace(m[1]!)) continue;
    const purpose = m[1]!.replace(/^(?:a|an|the|our|my)\s+/i, '');
    if (
      /^(?:project|me|myself|us|work|it|now|him|her|them|everyone|my (?:laptop|machine)|laptop|machine|desk)$/i.test(
        purpose,
      )
    )
      return null;
    return purpose;
  }
  return null;
}

// An idea's own words start with how it is offered ("Idea:", "we should have", "could IT build") and go on to why
// ("because…", ", it takes two days"): the title is what is proposed, between the two.
const ideaLabel =
  /^(?:(?:hi|hey|hello)\b[^,!.:]*[,!.:]\s*)?(?:(?:(?:a|an|my|one|new|quick|small)\s+)?(?:idea|proposal|suggestion|feature request|thought)s?(?:\s+for\s+(?:a|the)\s+(?:new\s+)?project)?\s*[:—–-]\s*|i(?:'ve| have) (?:got )?an? (?:idea|suggestion|proposal)(?:\s+for\s+(?:a|the)\s+(?:new\s+)?project)?\s*[:—–,-]?\s*)/i;
const ideaOpening =
  /^(?:(?:i|we)(?:'d| would) (?:like|love) to (?:propose|suggest)\s+(?:that\s+)?(?:we\s+)?|i (?:want to )?(?:propose|suggest)\s+(?:that\s+)?(?:we\s+)?|(?:i think |maybe |perhaps )?we (?:should|could) (?:really |maybe )?(?:have|get|build|set up|create|make|introduce|start using|look into)?\s*|it (?:would|'d) be (?:great|nice|good|useful|helpful|amazing) (?:if we (?:had|could have|could get|got|could)|to have)\s*|what if we (?:had|got|built|made|used)?\s*|we'?d (?:love|like) (?:to have |to see )?|(?:could|can|would) (?:it|we|you|someone) (?:please )?(?:build|look into|set up|create|make|give us|get us|introduce)\s*|how about\s*|(?:a |some )?(?:way|means) to\s+|to\s+)/i;
const ideaReasonStart =
  /\s*(?:[,;:.!?()]|\s[—–-]\s)|\s(?:because|cos|since|so|which would|that would|that will|to save|to stop|to avoid|and it|it takes|would|is that|is this|then|but|instead of|as (?:it|we|they|people|this|that))\b/i;
const tailWords = /\s+(?:for|of|and|or|the|to|with|in|on|a|an|our|my|all|per|into|from|by)$/i;

/** A short title for an idea or project: what is proposed, without how it is offered or why; null if none is left. */
export function projectTitle(text: string): string | null {
  let t = text.trim().replace(ideaLabel, '');
  for (let i = 0; i < 2; i++) t = t.replace(ideaOpening, '');
  const cut = ideaReasonStart.exec(t);
  if (cut) t = t.slice(0, cut.index);
  t = t
    .replace(/^(?:a|an|the|some|our|my)\s+/i, '')
    .replace(
      /\b(for|of|in|on|to|into|with|from|across|about|per)\s+(?:the|our|my|a|an)\s+(?!whole\b|entire\b)/gi,
      '$1 ',
    )
    .trim();
  while (t.length > 60) t = t.replace(/\s+\S+$/, '');
  while (tailWords.test(t)) t = t.replace(tailWords, '');
  // One word ("Tool" from "a tool that would …") says too little: the first sentence does better.
  return t.length >= 3 && /\s/.test(t) ? capitalise(t) : null;
}

/** A short title: the thing named and what it is for ("Visio for process maps"), else the ask without lead-ins. */
export function titleOf(
  text: string,
  kind: RequestKind | null,
  subject: string | null,
  person?: string | null,
): string {
  const asked = askedTitleOf(text, kind, subject, person);
  if (asked) return asked;
  if (kind === 'project') {
    const short = projectTitle(text);
    if (short) return truncate(short, maxLengths.title);
  }
  const firstSentence = (text.split(/(?<=[.!?])\s+|\n/)[0] ?? text).trim();
  const purpose = purposeOf(text);
  const forWhat = person ? ` for ${person}` : purpose ? ` for ${purpose}` : '';
  let title: string;
  const collection = kind === 'hardware' ? collectionOf(text) : null;
  if (collection) return collectionTitle(collection.thing ?? describedSubject(subject, text), text);
  if (kind === 'software' && subject) title = `${subject}${forWhat}`;
  else if (kind === 'hardware' && subject) title = `${capitalise(subject)}${forWhat}`;
  else if (kind === 'access' && subject) title = `Access to ${subject}${person ? ` for ${person}` : ''}`;
  else if (kind === 'incident' && subject) {
    const what =
      /\b(cracked|broken|smashed|not working|stopped working|won'?t turn on|keeps freezing|flickering|died)\b/i.exec(
        text,
      )?.[1];
    title = what
      ? /cracked|broken|smashed/i.test(what)
        ? `${capitalise(what.toLowerCase())} ${/\blaptop\b/i.test(text) && !subject.includes('laptop') ? `laptop ${subject}` : subject}`
        : `${capitalise(subject)} ${what.toLowerCase()}`
      : firstSentence;
  } else title = firstSentence;
  title = title
    .replace(interjection, '')
    .replace(leadIns, '')
    .replace(/\s+(?:please|asap|urgently|thanks|thank you)[.!]?$/i, '')
    .replace(/[\s.!?,;:]+$/, '')
    .trim();
  if (title.length < 3) title = firstSentence;
  const cut = title.length > 80 ? `${title.slice(0, 80).replace(/\s+\S*$/, '')}…` : title;
  return truncate(capitalise(cut), maxLengths.title);
}

/** The device with the word that says which one ("broken chairs" for "a pile of broken chairs"), or null. */
function describedSubject(subject: string | null, text: string): string | null {
  if (!subject) return null;
  const which = new RegExp(
    String.raw`\b(old|broken|faulty|dead|unused|spare|cracked|damaged)\s+${subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    'i',
  ).exec(text);
  return which ? `${which[1]!.toLowerCase()} ${subject}` : subject;
}

/** "Collect old printer from room 4.12": what is taken away and where from (the place left out if too long). */
function collectionTitle(thing: string | null, text: string): string {
  const what = `Collect ${thing ?? 'equipment'}`;
  const from = collectedFrom(text);
  const title = from && what.length + from.length + 6 <= 80 ? `${what} from ${from}` : what;
  return truncate(title, Math.min(80, maxLengths.title));
}

/** Where equipment to be taken away is: the first place named other than where it should be taken to. */
function collectedFrom(text: string): string | null {
  return placesIn(text).find((p) => p.preposition !== 'to' && p.preposition !== 'into')?.place ?? null;
}

/**
 * Titles read from the shape of the ask rather than the thing named: after a label ("request: a headset for
 * calls" is titled from "a headset for calls"), a removal ("Remove Jake from sales distribution list") and a new
 * shared mailbox, list, team or folder ("Shared mailbox for supplier invoices"); null for everything else.
 */
function askedTitleOf(
  text: string,
  kind: RequestKind | null,
  subject: string | null,
  person?: string | null,
): string | null {
  const body = text.trim().replace(requestLabel, '');
  if (body !== text.trim() && body.length >= 3) return titleOf(body, kind, subject, person);
  const removal = kind === 'access' ? removalOf(text, subject, isNotAPerson) : null;
  const title = removal?.title ?? (kind === 'other' ? groupResourceTitle(text) : null);
  return title ? truncate(capitalise(title), maxLengths.title) : null;
}

// ── Routing ──────────────────────────────────────────────────────────────────────────────────────────────────
// Shared services whose being down is an outage whoever reports it (a single printer offline is not).
const sharedService =
  /\b(?:wifi|wi-fi|network|internet|email|e-mail|website|server|servers|vpn|phones|phone lines|crm|erp|intranet|sharepoint|teams|portal|[a-z]+ system)\b/i;

function isOutage(text: string): boolean {
  if (down.test(text) && sharedService.test(text) && !questionStart.test(text.trim())) return true;
  if (
    down.test(text) &&
    (many.test(text) ||
      /\b(?:the|our)\s+[a-z]+(?:\s+[a-z]+)?\s+(?:is|are)\s+(?:all\s+)?(?:down|offline)/i.test(text))
  )
    return true;
  if (/\b(?:nobody|no one)\b[^.]*\bcan\b/i.test(text)) return true;
  return /\b(?:nobody|no one|everyone|all of (?:us|customer services)|the whole [a-z]+|the entire [a-z ]+)\b[^.]*\b(?:can'?t|cannot|unable|no|has no|lost|is down)\b/i.test(
    text,
  );
}

// "Is it possible to get a second screen?", "would it be possible to install R Studio?": asks, politely.
const possibleAsk =
  /\b(?:is it possible|would it be possible|is there any (?:way|chance)|any chance)\b[^?.]*\b(?:to get|to have|to install|to order|i could (?:get|have)|of getting|of having|to be added)\b/i;

// A label in front says it is an ask for IT: "request: …", "new request: …", "req: …", "ticket: …", "IT request -".
const requestLabel =
  /^\s*(?:(?:new|it|service|support|helpdesk|help desk|quick|urgent|small|another)\s+){0,2}(?:request|req|ticket|order)(?:\s*:|\s+[–—-]+(?=\s)|\s+for\b)\s*/i;

// Texting shorthand read as the words it stands for, so "can u install zoom pls" asks as "can you … please" does.
function plainWords(text: string): string {
  return text
    .replace(/\bu\b/gi, 'you')
    .replace(/\bur\b/gi, 'your')
    .replace(/\b(?:pls|plz|plse|pleeease)\b/gi, 'please');
}

function isExplicitAsk(raw: string): boolean {
  const text = plainWords(raw);
  return (
    requestLabel.test(text) ||
    (isAccessRemoval(text, isNotAPerson) && !/^(?:can|could|may|should) (?:i|we)\b/i.test(text.trim())) ||
    possibleAsk.test(text) ||
    askFor.test(text) ||
    askYou.test(text) ||
    needSomething.test(text) ||
    roleNeeds.test(text) ||
    needStart.test(text) ||
    pleaseDo.test(text) ||
    imperative.test(text) ||
    politeEnd.test(text) ||
    /\b(?:i'?d like to request|i want to request|raise a (?:request|ticket)|open a ticket|log a ticket|new request)\b/i.test(
      text,
    ) ||
    /\bwould help me\b.*\bcan you\b/i.test(text)
  );
}

/**
 * Reads one opening message. `asRequest` is for text already known to be a request (the `request` command, the
 * 'Ask IT' button): the kind and details are read even when the words look like a question.
 */
export function readOpening(
  text: string,
  context: ReadingContext,
  options: { asRequest?: boolean } = {},
): OpeningReading {
  const t = text.trim();
  const draft = emptyDraft();
  const notes: PlanNotes = {};
  if (!t) return { route: 'answer', draft, notes, person: null, missing: missingSteps(draft, notes) };
  const outage = isOutage(t);
  const question = questionStart.test(t) || howTo.test(t);
  const ask = isExplicitAsk(t) && !howTo.test(t);
  const idea = ideaCue.test(t);
  const problem = outage || damage.test(t) || failure.test(t) || isRecurringFault(t);
  // An explicit ask that mentions a difficulty ("I can't sign the contracts without it") is still the ask.
  // A label ("ticket: the printer keeps jamming") makes it an ask, but what is asked about can still be broken.
  const body = t.replace(requestLabel, '');
  const brokenThing =
    outage || damage.test(t) || (problem && !(body === t ? ask : isExplicitAsk(body) && !howTo.test(body)));
  const today = readDateWords('today', context.now, context.timeZone) ?? '';
  draft.neededBy = readDateWords(t, context.now, context.timeZone);
  draft.urgency = urgencyOf(t, outage, draft.neededBy, today);
  // An outage affects more than the person reporting it, even when the words do not say how many: a whole
  // floor, wing or site is department-sized, anything else at least a team.
  draft.impact =
    impactOf(t) ??
    (outage ? (/\b(?:floor|level|wing|site|office|building)\b/i.test(t) ? 'department' : 'team') : null);
  let route: OpeningRoute;
  if (outage) route = 'request';
  else if (question && !ask && !(idea && !howTo.test(t))) route = 'answer';
  else if (idea || ask)
    route = selfService.test(t) && !imperative.test(t) && !pleaseDo.test(t) ? 'answer' : 'request';
  else if (problem) {
    const urgent = draft.urgency === 'high' || draft.urgency === 'critical';
    const wide = draft.impact === 'team' || draft.impact === 'department' || draft.impact === 'company';
    // Password and sign-in trouble is self-service first: the article, whose card still offers 'Ask IT'.
    route = urgent || wide || damage.test(t) ? 'request' : selfService.test(t) ? 'answer' : 'problem';
  } else route = 'answer';
  const kind = route === 'answer' && !options.asRequest ? null : kindOf(t, brokenThing);
  draft.kind = outage ? 'incident' : kind;
  // Damage to one's own device ("my laptop screen is cracked") affects that person, so "who does it affect?" is
  // not asked.
  if (
    draft.kind === 'incident' &&
    draft.impact === null &&
    damage.test(t) &&
    ownDevice.test(t) &&
    !many.test(t)
  )
    draft.impact = 'me';
  draft.description = truncate(t, maxLengths.description);
  const subject = subjectOf(t, draft.kind);
  if (subject) notes.subject = subject;
  const removal = draft.kind === 'access' ? removalOf(t, subject, isNotAPerson) : null;
  // Whoever is taken off is who the request is about ("revoke Tom's VPN access"); someone named only by their
  // role ("our new starter needs a laptop") is who it is for, when no name is given.
  const namedRole = roleNeeds.exec(t)?.[1]?.toLowerCase();
  const person = personOf(t) ?? removal?.person ?? (namedRole ? `the ${namedRole}` : null);
  if (person) draft.affected = person;
  // A removal has no access level to ask; IT reads what changes from the note.
  if (removal) notes.change = removalChange;
  // "take me off the newsletter mailing list": the list taken off is the system, even one no vocabulary names.
  if (removal && !notes.subject) notes.subject = removal.target;
  // "take me off …", "close my account": whose access it is needs no question.
  if (removal?.self) draft.impact ??= 'me';
  draft.title = titleOf(t, draft.kind, subject, person);
  if (draft.kind === 'hardware') {
    // Where it goes ("at desk 14"), or for equipment to be taken away, where it is ("from room 4.12").
    const places = placesIn(t);
    const to = places.find((p) => p.preposition === 'to' || p.preposition === 'into');
    if (collectionOf(t)) {
      notes.collect = true;
      const from = collectedFrom(t);
      if (from) notes.collectFrom = from;
      if (to) notes.deliverTo = to.place;
    } else if (places[0]) notes.deliverTo = (to ?? places[0]).place;
  }
  // "Visio for process maps": what it is for answers "why"; a project's "why" is the problem, asked separately.
  const purpose = draft.kind !== 'project' && draft.kind !== 'incident' ? purposeOf(t) : null;
  // "for Sam" names who it is for, not why.
  if (purpose && purpose !== person) draft.businessNeed = `For ${purpose}`;
  if (draft.kind === 'access') {
    // A removal's "admin rights" names what is taken away, not a level to grant: the title says it.
    const level = removal ? null : accessLevelOf(t);
    if (level) notes.accessLevel = level;
    const approval = approvalOf(t);
    if (approval) notes.approval = approval;
  }
  if (draft.kind === 'project') {
    const { benefit, sponsor } = projectDetailsOf(t);
    if (benefit) draft.expectedBenefit = truncate(benefit, maxLengths.expectedBenefit);
    if (sponsor) draft.sponsor = truncate(sponsor, maxLengths.sponsor);
  }
  if (draft.kind === 'incident') {
    const since = mentionsSince(t);
    if (since) notes.since = since;
  }
  return { route, draft, notes, person, missing: missingSteps(draft, notes) };
}
