import type { EmotionCategory } from "./lexicon-zh.ts";

/**
 * Customer-service phrases for English chats, written for CS Coach. AFINN (through the
 * `sentiment` package) scores general words; these add what support chats say instead:
 * things not working, money taken, waiting, thanks.
 */
export const EN_PHRASES: Array<[RegExp, number, EmotionCategory]> = [
  [/\b(?:does ?n[o']?t|do ?n[o']?t|did ?n[o']?t|is ?n[o']?t|wo ?n[o']?t|has ?n[o']?t|have ?n[o']?t|never|not) (?:work|working|load|open|arrive|arrived|show|start|sync|download)/, -0.8, "frustration"],
  [/\b(?:can ?not|can'?t|could ?n[o']?t|unable to|impossible to|not able to|not possible)\b/, -0.6, "frustration"],
  [/\b(?:still|again|keeps?|always|every time|for (?:days|weeks|hours)|several times)\b/, -0.3, "frustration"],
  [/\b(?:error|fail(?:s|ed|ing|ure)?|broken|crash(?:es|ed)?|bug|stuck|freez(?:e|es|ing)|blocked|missing|lost|wrong(?:ly)?)\b/, -0.6, "frustration"],
  [/\b(?:charged|double charged|overcharged|debited|billed|my money|money back|reimburs\w*|refund\w*|chargeback)\b/, -0.7, "anger"],
  [/\b(?:cancel\w*|unsubscribe|terminate|close my account)\b/, -0.5, "frustration"],
  [/\b(?:dissatisfied|unacceptable|ridiculous|outrageous|disgusting|scam|fraud|rip ?off|useless|terrible|horrible|awful|worst|furious|angry|annoyed|fed up|sick of|joke)\b/, -0.9, "anger"],
  [/\b(?:disappoint\w*|frustrat\w*|upset|unhappy|sad|unfortunately|problem|issue|complain\w*)\b/, -0.6, "frustration"],
  [/\b(?:waiting|waited|no (?:one|answer|response|reply)|nobody|ignored|how long)\b/, -0.5, "frustration"],
  [/\b(?:urgent(?:ly)?|asap|immediately|right now|hurry|as soon as possible|deadline|worried|anxious)\b/, -0.4, "anxiety"],
  [/\b(?:shameless|bullshit|nonsense|cheat(?:s|ed|ing)?|liars?|lie[sd]?|fools?|fooling|so-called|rip(?:ped)? off|deceiv\w*|irresponsible|rogue|robbery|bully\w*)\b/, -0.9, "anger"],
  [
    /\b(?:lying|you lie|won'?t (?:use|buy|choose|trust) (?:your|you)|never (?:buy|use|trust)|(?:you )?don'?t dare|do(?: not|n'?t) accept|curse|careless(?:ly)?|irrelevant|perfunctory|broke (?:down|the promise)|break (?:the|your) promise|overwhelmed|how many times|what a joke|so funny|makes? me (?:sick|angry|mad)|fed up|had enough|waste of (?:time|money))\b/,
    -0.8,
    "anger",
  ],
  [/\b(?:at all|no one|nobody|never|no result|no response|no reply|nothing|still not|not yet|so many times|several times|many times|over and over)\b/, -0.4, "frustration"],
  [/\b(?:slow|late|delay(?:ed|s)?|overdue|poor|bad|worse|unreasonable|unfair|inconvenien\w*|trouble\w*|difficult)\b/, -0.4, "frustration"],
  [/\b(?:resolved|fixed|solved|it works|works fine|got it|understood|no problem|all good|favorable comment)\b/, 0.6, "satisfaction"],
  [/\b(?:thanks?|thank you|thx|ty|much appreciated|appreciate)\b/, 0.7, "satisfaction"],
  [/\b(?:great|perfect|awesome|excellent|wonderful|lovely|fantastic|super|brilliant|amazing|helpful|solved|works now|working now|happy|glad|nice)\b/, 0.8, "satisfaction"],
  [/\b(?:have a (?:nice|good|great|lovely) (?:day|evening|weekend))\b/, 0.7, "satisfaction"],
];

/**
 * Words and marks that show a feeling in an English support chat (not a problem's topic):
 * annoyance, anger, disappointment, distrust, impatience, thanks and praise.
 */
export const EN_FEELING =
  /\b(?:dissatisfied|unacceptable|ridiculous|outrageous|disgusting|disgusted|scam|fraud|rip ?off|useless|terrible|horrible|awful|worst|furious|angry|annoyed|annoying|fed up|sick of|joke|disappoint\w*|frustrat\w*|upset|unhappy|sad|worried|anxious|seriously|wtf|omg|how many times|again\?|lie[sd]?|liars?|cheat\w*|shameless|nonsense|waste of|had enough|never again|thanks?|thank you|appreciate\w*|great|perfect|awesome|excellent|wonderful|lovely|fantastic|amazing|helpful|happy|glad)\b|!{2,}|\?{2,}|[A-Z]{4,}/;
