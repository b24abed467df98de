/**
 * Linking: a compiled template with every partial it reaches, checked once (when a version is
 * saved, and when a plugin caches it) so that rendering never meets a missing partial, a cycle or
 * unbounded nesting. Unlike Mustache's spec, where a missing partial renders as nothing, a
 * missing partial is an error: a prompt silently missing its safety instructions is worse than a
 * refused save.
 */
import { MAX_PARTIAL_DEPTH, MAX_RENDER_NESTING } from './bounds';
import type { CompiledTemplate, TemplateNode } from './compile';
import { TemplateError } from './errors';

export interface LinkedTemplate {
  readonly root: CompiledTemplate;
  /** Every partial reachable from the root, by name. */
  readonly partials: ReadonlyMap<string, CompiledTemplate>;
}

/** Looks a partial up by name (compiled), or undefined when there is none. */
export type PartialLookup = (name: string) => CompiledTemplate | undefined;

/**
 * The deepest nesting of sections and partial inclusions below `nodes`, with the partials'
 * own depths already known (`depthOf`). Iterative: a node list and its depth per entry.
 */
function nestingOf(nodes: readonly TemplateNode[], depthOf: (name: string) => number): number {
  let deepest = 0;
  const pending: { nodes: readonly TemplateNode[]; depth: number }[] = [{ nodes, depth: 0 }];
  while (pending.length > 0) {
    const { nodes: list, depth } = pending.pop()!;
    for (const node of list) {
      if (node.kind === 'section') {
        deepest = Math.max(deepest, depth + 1);
        pending.push({ nodes: node.children, depth: depth + 1 });
      } else if (node.kind === 'partial') deepest = Math.max(deepest, depth + 1 + depthOf(node.name));
    }
  }
  return deepest;
}

/**
 * Resolves every partial the template reaches (depth first), refusing a missing partial, a cycle
 * (named: `a → b → a`), a chain longer than MAX_PARTIAL_DEPTH and nesting beyond MAX_RENDER_NESTING.
 * `param` names the definition field in errors.
 */
export function linkTemplate(root: CompiledTemplate, lookup: PartialLookup, param?: string): LinkedTemplate {
  const resolved = new Map<string, CompiledTemplate>();
  // Nesting depth of each partial once all below it are done.
  const nesting = new Map<string, number>();
  // The current chain of partials being visited, and each one's next child to visit.
  const chain: string[] = [];
  const nextChild: number[] = [];

  const enter = (name: string): void => {
    const onChain = chain.indexOf(name);
    if (onChain >= 0) {
      const cycle = [...chain.slice(onChain), name];
      throw new TemplateError('partial_cycle', `Partials include each other in a cycle: ${cycle.join(' → ')}`, { param, names: cycle });
    }
    if (chain.length >= MAX_PARTIAL_DEPTH)
      throw new TemplateError('template_nesting', `Partials nest deeper than ${MAX_PARTIAL_DEPTH} levels: ${[...chain, name].join(' → ')}`, {
        param,
        names: [...chain, name],
      });
    const partial = lookup(name);
    if (partial === undefined) {
      const via = chain.length > 0 ? ` (included by '${chain[chain.length - 1]}')` : '';
      throw new TemplateError('partial_missing', `Partial '${name}'${via} does not exist`, { param, names: [name] });
    }
    resolved.set(name, partial);
    chain.push(name);
    nextChild.push(0);
  };

  for (const name of root.partials) {
    if (!nesting.has(name)) enter(name);
    while (chain.length > 0) {
      const top = chain[chain.length - 1];
      const children = resolved.get(top)!.partials;
      const index = nextChild[nextChild.length - 1]++;
      if (index < children.length) {
        if (!nesting.has(children[index])) enter(children[index]);
        continue;
      }
      nesting.set(
        top,
        nestingOf(resolved.get(top)!.nodes, (child) => nesting.get(child)!),
      );
      chain.pop();
      nextChild.pop();
    }
  }
  const total = nestingOf(root.nodes, (name) => nesting.get(name)!);
  if (total > MAX_RENDER_NESTING)
    throw new TemplateError('template_nesting', `Sections and partials nest ${total} levels deep, above the limit of ${MAX_RENDER_NESTING}`, { param });
  return { root, partials: resolved };
}
