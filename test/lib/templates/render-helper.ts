/** Compiles, links and renders one source with named partials: the path every test of the engine takes. */
import { compileTemplate } from '../../../lib/templates/compile';
import { linkTemplate } from '../../../lib/templates/partials';
import { RenderBudget, type RenderLimits, renderLinked } from '../../../lib/templates/render';

export function render(source: string, view: Record<string, unknown> = {}, partials: Record<string, string> = {}, limits?: RenderLimits): string {
  const lookup = (name: string) => (Object.hasOwn(partials, name) ? compileTemplate(partials[name]) : undefined);
  return renderLinked(linkTemplate(compileTemplate(source), lookup), view, new RenderBudget(limits));
}
