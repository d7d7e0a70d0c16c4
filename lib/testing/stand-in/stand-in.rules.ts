import { noop } from 'rxjs';
import type { StandInRule } from './stand-in.interfaces.js';

/** The stand-in's scripted rules (`script()`), and the match `count()` uses too. */

interface StoredRule {
  rule: StandInRule;
  remaining: number | undefined;
}

/** Whether a request's method and raw pathname match a rule's (or `count()`'s) method and path. */
export function matches(
  ruleMethod: string | undefined,
  rulePath: string | RegExp,
  method: string,
  pathname: string,
): boolean {
  if (ruleMethod !== undefined && ruleMethod.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof rulePath === 'string') return rulePath === pathname;
  rulePath.lastIndex = 0;
  return rulePath.test(pathname);
}

/** The scripted rules, newest first; a rule with `times` is dropped once used up. */
export class StandInRules {
  private readonly rules: StoredRule[] = [];

  /** Adds a rule; returns a function removing it. */
  add(rule: StandInRule): () => void {
    const stored: StoredRule = { rule, remaining: rule.times };
    if (stored.remaining !== undefined && stored.remaining <= 0) return noop;
    this.rules.push(stored);
    return () => {
      const i = this.rules.indexOf(stored);
      if (i !== -1) this.rules.splice(i, 1);
    };
  }

  /** The newest rule matching the request (counting one use of it), or undefined. */
  take(method: string, pathname: string): StandInRule | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const stored = this.rules[i] as StoredRule;
      if (!matches(stored.rule.method, stored.rule.path, method, pathname)) continue;
      if (stored.remaining !== undefined) {
        stored.remaining--;
        if (stored.remaining <= 0) this.rules.splice(i, 1);
      }
      return stored.rule;
    }
    return undefined;
  }

  /** Drops every rule. */
  clear(): void {
    this.rules.length = 0;
  }
}
