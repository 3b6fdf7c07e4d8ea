// Reporting verbs with their slant (Floyd Moore 2000; Recasens et al. 2013's assertives; the
// codebooks: "claimed, insisted and alleged withdraw credit; pointed out, explained and revealed
// lend it; indicated, hinted and suggested turn the speaker's words into the writer's reading").
// Each entry lists its forms and a score: how surely the form is a slanted reporting verb when
// it introduces speech (the rule checks that it does). Neutral verbs are listed for contrast:
// they are never suggested, but the learned model sees them.

export const SLANTS = ['doubting', 'crediting', 'conceding', 'interpreting', 'emotive', 'neutral'] as const;
export type Slant = (typeof SLANTS)[number];

interface Entry {
  forms: string;
  score: number;
}

export const REPORTING_VERBS: Record<Slant, Entry[]> = {
  doubting: [
    { forms: 'claim claims claimed claiming', score: 0.8 },
    { forms: 'insist insists insisted insisting', score: 0.8 },
    { forms: 'allege alleges alleged alleging', score: 0.8 },
    { forms: 'purport purports purported purporting', score: 0.8 },
    { forms: 'profess professes professed professing', score: 0.75 },
    { forms: 'contend contends contended contending', score: 0.7 },
    { forms: 'maintain maintains maintained maintaining', score: 0.6 },
    { forms: 'assert asserts asserted asserting', score: 0.55 },
  ],
  crediting: [
    { forms: 'point out|points out|pointed out|pointing out', score: 0.6 },
    { forms: 'reveal reveals revealed revealing', score: 0.6 },
    { forms: 'explain explains explained explaining', score: 0.5 },
    { forms: 'clarify clarifies clarified clarifying', score: 0.5 },
    { forms: 'confirm confirms confirmed confirming', score: 0.4 },
    { forms: 'observe observes observed observing', score: 0.4 },
    { forms: 'disclose discloses disclosed disclosing', score: 0.45 },
  ],
  conceding: [
    { forms: 'admit admits admitted admitting', score: 0.7 },
    { forms: 'concede concedes conceded conceding', score: 0.7 },
    { forms: 'confess confesses confessed confessing', score: 0.75 },
    { forms: 'acknowledge acknowledges acknowledged acknowledging', score: 0.55 },
  ],
  interpreting: [
    { forms: 'indicate indicates indicated indicating', score: 0.7 },
    { forms: 'hint hints hinted hinting', score: 0.75 },
    { forms: 'imply implies implied implying', score: 0.7 },
    { forms: 'intimate intimated intimating', score: 0.75 },
    { forms: 'insinuate insinuates insinuated insinuating', score: 0.8 },
    { forms: 'suggest suggests suggested suggesting', score: 0.5 },
    { forms: 'signal signals signalled signaled signalling signaling', score: 0.5 },
  ],
  emotive: [
    { forms: 'slam slams slammed slamming', score: 0.8 },
    { forms: 'blast blasts blasted blasting', score: 0.75 },
    { forms: 'lash out|lashes out|lashed out|lashing out', score: 0.8 },
    { forms: 'hit out|hits out|hitting out', score: 0.7 },
    { forms: 'fume fumes fumed fuming', score: 0.8 },
    { forms: 'rage rages raged raging', score: 0.7 },
    { forms: 'boast boasts boasted boasting', score: 0.8 },
    { forms: 'brag brags bragged bragging', score: 0.8 },
    { forms: 'gloat gloats gloated gloating', score: 0.8 },
    { forms: 'rant rants ranted ranting', score: 0.8 },
    { forms: 'scoff scoffs scoffed scoffing', score: 0.8 },
    { forms: 'sneer sneers sneered sneering', score: 0.8 },
    { forms: 'whine whines whined whining', score: 0.8 },
    { forms: 'thunder thunders thundered thundering', score: 0.7 },
    { forms: 'lament laments lamented lamenting', score: 0.55 },
    { forms: 'complain complains complained complaining', score: 0.45 },
  ],
  neutral: [
    { forms: 'say says said saying', score: 0 },
    { forms: 'tell tells told telling', score: 0 },
    { forms: 'state states stated stating', score: 0 },
    { forms: 'add adds added adding', score: 0 },
    { forms: 'announce announces announced announcing', score: 0 },
    { forms: 'report reports reported reporting', score: 0 },
    { forms: 'write writes wrote writing', score: 0 },
    { forms: 'ask asks asked asking', score: 0 },
    { forms: 'reply replies replied replying', score: 0 },
    { forms: 'note notes noted noting', score: 0 },
    { forms: 'argue argues argued arguing', score: 0 },
    { forms: 'warn warns warned warning', score: 0 },
    { forms: 'stress stresses stressed stressing', score: 0 },
    { forms: 'according to', score: 0 },
  ],
};

/** Every form with its slant and score: `pointed out` → crediting, 0.6. */
export function reportingVerbForms(): [string, { slant: Slant; score: number }][] {
  const out: [string, { slant: Slant; score: number }][] = [];
  for (const slant of SLANTS) {
    for (const entry of REPORTING_VERBS[slant]) {
      const forms = entry.forms.includes('|') ? entry.forms.split('|') : entry.forms.split(' ');
      for (const form of forms) out.push([form, { slant, score: entry.score }]);
    }
  }
  return out;
}
