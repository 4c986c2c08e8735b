// CodeMirror 6 over the strategy's JSON, with the API's validation errors drawn at their path. Its own chunk.
import { json } from '@codemirror/lang-json';
import { forceLinting, linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface PathError {
  field: string;
  message: string;
}

/** Where a field path (`stages[1].steps[0].channel`, `promise.minPercent`) sits in the JSON text, roughly: its last key. */
export function positionOf(text: string, field: string): { from: number; to: number } {
  const keys = field.split(/[.[\]]+/).filter((k) => k && !/^\d+$/.test(k));
  let at = 0;
  for (const key of keys) {
    const found = text.indexOf(`"${key}"`, at);
    if (found < 0) break;
    at = found;
  }
  const end = text.indexOf('\n', at);
  return { from: at, to: end < 0 ? text.length : end };
}

export default function CodeEditor({
  value,
  onChange,
  errors,
  label,
}: {
  value: string;
  onChange: (text: string) => void;
  errors: PathError[];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const errorsRef = useRef(errors);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (!host.current) return;
    const diagnostics = linter((v): Diagnostic[] => {
      const text = v.state.doc.toString();
      return errorsRef.current.map((e) => {
        const { from, to } = positionOf(text, e.field);
        return { from, to, severity: 'error', message: `${e.field}: ${e.message}` };
      });
    });
    const editor = new EditorView({
      doc: value,
      parent: host.current,
      extensions: [
        basicSetup,
        json(),
        lintGutter(),
        diagnostics,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChangeRef.current(u.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor is created once; later values come from it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (the form view, a loaded version) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    errorsRef.current = errors;
    const v = view.current;
    // Re-run the linter with the new errors.
    if (v) forceLinting(v);
  }, [errors]);

  return <div ref={host} style={{ border: '1px solid var(--mantine-color-gray-4)', minHeight: 320 }} />;
}
