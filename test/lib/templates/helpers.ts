/** What every test of the engine does: compile, link and render one source with named partials; catch the TemplateError a call throws. */
import { compileTemplate } from '../../../lib/templates/compile';
import { TemplateError } from '../../../lib/templates/errors';
import { linkTemplate } from '../../../lib/templates/partials';
import { RenderBudget, type RenderLimits, renderLinked } from '../../../lib/templates/render';

export function render(source: string, view: Record<string, unknown> = {}, partials: Record<string, string> = {}, limits?: RenderLimits): string {
  const lookup = (name: string) => (Object.hasOwn(partials, name) ? compileTemplate(partials[name]) : undefined);
  return renderLinked(linkTemplate(compileTemplate(source), lookup), view, new RenderBudget(limits));
}

/** The TemplateError `work` throws; fails the test when it throws nothing or something else. */
export function errorOf(work: () => unknown): TemplateError {
  try {
    work();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError, none was thrown');
}
