/** The one API client and the logged-in person, shared by the shell and every page. */
import { ApiClient } from './api.ts';
import { storedToken } from './session.ts';
import type { Me } from './wire.ts';

export const api = new ApiClient(storedToken);

let me: Me | undefined;
export function currentUser(): Me | undefined {
  return me;
}
export function setCurrentUser(next: Me | undefined): void {
  me = next;
}

/** Facts handed from one page to another (Simulate → Try it) without putting them in the URL. */
const HANDOFF_KEY = 'tiaowen.handoff';
export function handOffFacts(facts: unknown): void {
  try {
    sessionStorage.setItem(HANDOFF_KEY, JSON.stringify(facts));
  } catch {
    // too large or blocked: Try it then starts empty
  }
}
export function takeHandedFacts(): unknown {
  try {
    const raw = sessionStorage.getItem(HANDOFF_KEY);
    sessionStorage.removeItem(HANDOFF_KEY);
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}
