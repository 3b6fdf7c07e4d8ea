// What the command line may ask about accounts, directly on a data folder or through the running
// server's control socket (control/socket.ts): the same requests, checked and answered the same way.
import { z } from 'zod';
import { ROLES } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { AccountError, findUserByName, hasAdmin, isActive, issueResetLink, issueSetupToken } from './users.js';
import { addAccount } from './admin.js';

export const accountRequest = z.discriminatedUnion('command', [
  z.strictObject({
    command: z.literal('user add'),
    name: z.string().max(100),
    role: z.enum(ROLES),
    admin: z.boolean(),
    /** null: make a one-time link instead. */
    password: z.string().max(300).nullable(),
  }),
  z.strictObject({ command: z.literal('user reset'), name: z.string().max(100) }),
  z.strictObject({ command: z.literal('setup link') }),
]);
export type AccountRequest = z.infer<typeof accountRequest>;

export interface AccountAnswer {
  ok: boolean;
  message: string;
}

/** Carries out a request; `base` is the address one-time links start with. */
export async function runAccountRequest(store: AppStore, input: unknown, base: string): Promise<AccountAnswer> {
  const parsed = accountRequest.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'That request is not one Framelens knows.' };
  const request = parsed.data;
  try {
    if (request.command === 'setup link') {
      if (hasAdmin(store)) {
        return {
          ok: false,
          message:
            'Framelens is set up already: its administrator makes accounts on the Accounts page. ' +
            'To give someone a new password link from here: framelens user reset NAME',
        };
      }
      const token = await issueSetupToken(store);
      if (token === null) return { ok: false, message: 'Framelens is set up already.' };
      return {
        ok: true,
        message:
          `Open this one-time link to create the first researcher account, the administrator, who leads the demo project (any earlier set-up link no longer works):\n  ${base}/setup/${token}`,
      };
    }
    if (request.command === 'user add') {
      const { user, token } = await addAccount(store, request);
      const what = `${user.role}${user.admin ? ', administrator' : ''}`;
      const link = token === null ? '' : `\nSend them this one-time link to choose a password (it works once, for 7 days):\n  ${base}/link/${token}`;
      return { ok: true, message: `Created ${what} "${user.name}".${link}` };
    }
    const user = findUserByName(store, request.name);
    if (!user) return { ok: false, message: `No account is called "${request.name.trim()}".` };
    if (!isActive(user)) return { ok: false, message: `${user.name}'s account is deactivated: reactivate it on the Accounts page first.` };
    const token = await issueResetLink(store, user.id);
    return { ok: true, message: `One-time link for ${user.name} (it works once, for 7 days; their old password stops working once it is used):\n  ${base}/link/${token}` };
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    return { ok: false, message: error.message };
  }
}
