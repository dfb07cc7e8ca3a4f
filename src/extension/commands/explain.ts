import type { Explanation, ExplanationMethod } from '../../shared/explanation';
import { EXPLANATION_METHODS, MAX_LABEL_LENGTH } from '../../shared/explanation';
import { isPlainObject } from '../../shared/validate';
import { describeError } from '../jobs';
import type { Lab } from '../lab';
import { readSettings } from '../settings';

/** What "Explain Emotion" accepts after the file from scripts and tests: the method and the emotion to explain. */
export interface ExplainArguments {
  readonly method?: ExplanationMethod;
  readonly label?: string;
}

/** The explain options in a command's second argument (the Explorer passes the selection there instead: ignored). */
export function explainArguments(value: unknown): ExplainArguments {
  if (!isPlainObject(value)) return {};
  const method = EXPLANATION_METHODS.find((m) => m === value.method);
  const label = typeof value.label === 'string' && value.label.length > 0 && value.label.length <= MAX_LABEL_LENGTH ? value.label : undefined;
  return { ...(method ? { method } : {}), ...(label !== undefined ? { label } : {}) };
}

/** One file's explanation from the worker with the model and the settings' backend. */
export async function requestExplanation(lab: Lab, modelDir: string, file: string, method: ExplanationMethod, label?: string): Promise<Explanation> {
  const { backend, ...explanation } = await lab.worker.request('explain', { modelDir, file, method, label, backend: readSettings().backend }, { timeoutMs: 0 });
  lab.worker.reportBackend(backend);
  return explanation;
}

/** {@link requestExplanation} for a panel's state: the explanation, or why there is none (also written to the log). */
export async function explainOf(lab: Lab, modelDir: string, file: string, method: ExplanationMethod, label?: string): Promise<{ explanation?: Explanation; explanationError?: string }> {
  try {
    return { explanation: await requestExplanation(lab, modelDir, file, method, label) };
  } catch (error) {
    const explanationError = describeError(error);
    lab.log.appendLine(`Explain: ${file}: ${explanationError}`);
    return { explanationError };
  }
}
