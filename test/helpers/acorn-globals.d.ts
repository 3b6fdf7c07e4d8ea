// acorn-globals ships no types: the one function the view test uses.
declare module 'acorn-globals' {
  /** The free variables of a script (names it reads or writes without declaring them). */
  export default function detectGlobals(source: string): { name: string }[];
}
