// README.txt, put in every export archive and beside `framelens export`'s files: what each file
// holds, the unit of every offset, the line-end rule and the CSV formula guard.

export function exportReadme(projectName: string): string {
  return `Framelens export of the project "${projectName}"

OFFSETS
Every span is [start, end) from the start of its article's text: start inclusive,
end exclusive. Two units are used; they differ after every character outside
Unicode's Basic Multilingual Plane (most emoji), which is two UTF-16 code units
and one code point.
- tags.csv, tags.jsonl: start and end in UTF-16 code units (JavaScript string
  indexes); start_cp and end_cp in code points (Python: text[start_cp:end_cp]).
- brat .ann files: code points of the .txt beside them, as brat reads them.
- CoNLL .conll files: per token start and end in UTF-16 code units, start_cp and
  end_cp in code points.
- Reliability matrices: no offsets (a row per sentence, a column per annotator).

ARTICLE TEXT AND LINE ENDS
Framelens keeps an article's text exactly as imported, under one rule applied to
pasted text and uploaded files alike: a byte order mark at the start is dropped,
and CRLF or a lone CR becomes LF. The brat .txt files are that text in UTF-8, byte
for byte. (An article imported before this rule may hold CR characters; its .txt
has LF line ends and the offsets count that text.) Read files as UTF-8 without
newline translation, e.g. open(path, encoding="utf-8", newline="") in Python.

CSV FORMULA GUARD
In every CSV file, a text cell that starts with = + - @, a tab or a carriage
return gets a leading apostrophe ('), so that a spreadsheet does not run it as a
formula. To get the original text back, remove one leading ' where the next
character is one of those, e.g. in pandas:
  df[col] = df[col].str.replace(r"^'(?=[=+\\-@\\t\\r])", "", regex=True)
Numbers are never changed.

FILES
- tags.csv: one row per tag: project, article, article_title, sentence
  (1-based), start, end, start_cp, end_cp, text, category, voice, intensity,
  note, annotator, created, updated.
- tags.jsonl: the same fields, one JSON object per line, plus a line
  {"reviewed": true, ...} (no category) for each sentence an annotator reviewed
  without tagging anything. It can be imported back into a project.
- reliability-<category>.csv: per category, a column per annotator, a row per
  sentence: 1 tagged, 0 reviewed without that tag, empty never reviewed.
- brat/: annotation.conf, and per article a folder with <annotator>.txt and
  <annotator>.ann (T lines with code-point offsets; voice and intensity as
  attributes; the note as AnnotatorNotes).
- conll/: per article a folder with <annotator>.conll: a token per line (every
  non-space character is in a token), tab-separated: token, start, end,
  start_cp, end_cp, then a BIO column per category (B- on the first token a tag
  touches). Before each sentence's tokens, comment lines "# key = value" (never a
  tab): sentence, text, reviewed = yes | no | nothing-here, and "overlap" for
  tags of one category that share a token (the column holds their union).
- codebook-<id>.json: the project's codebook.
`;
}
