// Places and collections written in words: "at desk 14", "in room 4.12", "on the 3rd floor", "to the Oak meeting
// room" name where equipment goes (or is picked up from), and "please pick up the old printer from room 4.12" or
// "could we get the old monitors collected" ask IT to take something away rather than bring it.

/** A place named after a preposition: the preposition ("at", "from", …) and the place as written ("the storeroom"). */
export interface PlaceMention {
  preposition: string;
  place: string;
}

// Place words may start a sentence or be written with a capital ("Room 4.12"); names and numbers must not be any
// word, so the expression is case-sensitive and these words take either case of their first letter.
const eitherCase = (source: string) =>
  source.replace(/(?<![\\\w])([a-z])/g, (c) => `[${c.toUpperCase()}${c}]`);

// Places that say where on their own, with "the" ("the storeroom", "at reception").
const specificPlace = eitherCase(
  String.raw`(?:meeting|conference|training|server|comms|post|mail|print|break|quiet|store|stock)\s+room|boardroom|storeroom|stockroom|store cupboard|stationery cupboard|kitchen|reception|front desk|studio|lab|library|canteen|warehouse|workshop|lobby|atrium|basement|loading bay|car park`,
);
// Places that need a number, a name or a possessive to say which ("desk 14", "the London office", "my desk").
const genericPlace = eitherCase(
  'desk|hot ?desk|room|floor|level|building|office|bay|suite|unit|block|wing|site|branch',
);
// "4.12", "3B", "14", "B": which one; never "365" as in "Office 365".
const identifier = String.raw`(?!365\b)[A-Z0-9][\w.-]*`;
const ordinalFloor = String.raw`(?:\d{1,2}(?:st|nd|rd|th)|${eitherCase('first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|ground|top')})\s+${eitherCase('floor')}`;
// "my desk", "Sam's office", "the new starter's desk"
const possessive = "(?:my|our|his|her|their|[A-Z][a-z]+['’]s|the\\s+(?:[a-z]+\\s+)?[a-z]+['’]s)";
const named = String.raw`(?:[A-Z][\w'’-]*\s+){1,2}`;

const place = new RegExp(
  String.raw`\b(${eitherCase('at|in|on|to|from|into|outside|near|off')})\s+(` +
    [
      // "the Oak meeting room", "the second-floor kitchen", "reception", "meeting room 3"
      String.raw`(?:(?:the|${possessive})\s+)?(?:${named}|${ordinalFloor}\s+|[a-z][\w-]*\s+)?(?:${specificPlace})(?:\s+${identifier})?`,
      // "desk 14", "room 4.12", "floor 2", "building B"
      String.raw`(?:the\s+)?(?:${genericPlace})\s+${identifier}`,
      // "the 3rd floor", "the ground floor"
      String.raw`(?:the\s+)?${ordinalFloor}`,
      // "the London office", "the Leeds site"
      String.raw`the\s+${named}(?:${genericPlace})`,
      // "my desk", "Sam's office"
      String.raw`${possessive}\s+(?:(?:own|new|old)\s+)?(?:${genericPlace})`,
    ].join('|') +
    String.raw`)(?=$|[\s,.;:!?)])`,
  'g',
);

// Words that make the lowercase qualifier before a specific place part of the sentence, not of the place.
const notQualifier = /^(?:the|a|an|this|that|it|is|are|and|or|but|for|with)\s/i;

/** True when the words are a place and nothing else ("my desk", "the Oak meeting room", "room 4.12"). */
export function isPlace(words: string): boolean {
  return placesIn(`at ${words.trim()}`)[0]?.place === words.trim();
}

/** Every place named after a preposition, in order ("need a dock at desk 14" → at desk 14). */
export function placesIn(text: string): PlaceMention[] {
  const found: PlaceMention[] = [];
  let end = -1;
  for (const m of text.matchAll(place)) {
    const where = m[2]!.replace(/[.]+$/, '');
    // "in the big kitchen" is a place; "in it kitchen" or "on this kitchen" is the sentence running on.
    if (notQualifier.test(where.replace(/^the\s+/i, ''))) continue;
    const preposition = m[1]!.toLowerCase();
    const last = found.at(-1);
    // "her desk on floor 6" is one place, said in two steps.
    if (last && m.index === end + 1 && /^(?:in|on|at)$/.test(preposition))
      last.place = `${last.place} ${preposition} ${where}`;
    else found.push({ preposition, place: where });
    end = m.index + m[1]!.length + 1 + m[2]!.length;
  }
  return found;
}

// Asking IT to take something away: the verb, or the thing "collected" / "picked up" / "taken away".
const collectVerb =
  /\bneeds?\s+(?:collecting|taking away|picking up|removing|clearing (?:away|out))\b|\b(?:collect(?:ed|ion of)?|pick(?:ed)? up|pick-?up of|take (?:away|back)|taken away|remov(?:e|ed|al of)|dispos(?:e|ed|al) of|get rid of|recycl(?:e|ed)|clear(?:ed)? (?:away|out)|come and (?:get|grab|take|collect))\b|\bpick\s+(?:the|my|our|a|an|some|those|these|this|that|it|them)\b[^,.;!?]{0,40}?\s+up\b/i;
// Someone collecting something themselves ("when can I pick up my new laptop") is not IT taking it away.
const selfCollect =
  /\b(?:i|we)(?:['’]ll|['’]m going to|\s+(?:can|could|will|need to|want to|to|am going to|are going to))?\s+(?:collect|pick (?:it |them )?up|come and (?:get|collect))\b/i;
// Bringing something new ("a new laptop, please collect the old one") is a delivery, the collection its side.
const newOne =
  /\b(?:new|replacement)\s+(?!starters?|joiners?|hires?|colleagues?|office|building|floor|site)[a-z]/i;

const passiveObject =
  /\b(?:get|have|has|had|need|needs|want|wants|like)\s+(.+?)\s+(?:collected|picked up|taken away|removed|disposed of|recycled|cleared (?:away|out))\b/i;
const activeObject =
  /\b(?:collect|pick up|take away|take back|remove|dispose of|get rid of|recycle|clear away|clear out|come and (?:get|grab|take|collect))\s+(.+?)(?=\s+(?:from|in|on|at|off|by|before|please|asap|today|tomorrow|this|next|as|because|since|so|it|which|that|and|when|if|for)\b|\s+[—–-]\s|[,;!?]|\.(?:\s|$)|$)/i;
const pickUpObject = /\bpick\s+(?!up\b)([^,.;!?]+?)\s+up\b/i;
const determiners =
  /^(?:all\s+(?:of\s+)?)?(?:the|my|our|a|an|some|his|her|their|this|that|these|those|its)\s+/i;
const pronoun = /^(?:it|them|this|that|these|those|one|ones|stuff|things?)$/i;

/** A collection asked of IT: what is to be taken away (null when only a pronoun says so). */
export interface Collection {
  thing: string | null;
}

/** Reads an ask to take equipment away ("please pick up the old printer from room 4.12"), or null. */
export function collectionOf(text: string): Collection | null {
  if (!collectVerb.test(text) || selfCollect.test(text) || newOne.test(text)) return null;
  const m = passiveObject.exec(text) ?? pickUpObject.exec(text) ?? activeObject.exec(text);
  let thing = m?.[1]?.trim() ?? '';
  // "the old printer on floor 2": the place is read separately.
  thing = thing.replace(/\s+(?:from|in|on|at|off|near|outside)\s+.*$/i, '').replace(determiners, '');
  const words = thing.split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 6 || pronoun.test(thing) || /[?]/.test(thing))
    return { thing: null };
  return { thing };
}
