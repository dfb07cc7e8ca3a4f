import * as vscode from 'vscode';
import { bytesToModel, modelToBytes, NOTEBOOK_TYPE, type CellModel, type NotebookModel } from '../../shared/notebookFormat';

/**
 * Reads and writes `.emonb` files. The format lives in `src/shared/notebookFormat.ts`; this class only turns its
 * plain model into VS Code's classes and back. A file that cannot be read makes `deserializeNotebook` throw, so
 * VS Code shows the message and opens no editor that could save over the file.
 */
export class EmotionNotebookSerializer implements vscode.NotebookSerializer {
  /**
   * Registers the serializer for the `voice-emotion-notebook` type. Outputs, execution summaries and all
   * metadata are part of the file, so nothing is transient: changing them marks the notebook dirty.
   */
  static register(): vscode.Disposable {
    return vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new EmotionNotebookSerializer(), {
      transientOutputs: false,
      transientCellMetadata: {},
      transientDocumentMetadata: {},
    });
  }

  /** The notebook in `content`; throws the format's error (e.g. "… is not valid JSON at line 3, column 5: …"). */
  deserializeNotebook(content: Uint8Array, _token: vscode.CancellationToken): vscode.NotebookData {
    const model = bytesToModel(content);
    const data = new vscode.NotebookData(model.cells.map(toCellData));
    data.metadata = model.metadata;
    return data;
  }

  /** The canonical `.emonb` bytes of `data`. */
  serializeNotebook(data: vscode.NotebookData, _token: vscode.CancellationToken): Uint8Array {
    const model: NotebookModel = {
      metadata: data.metadata,
      cells: data.cells.map(
        (cell): CellModel => ({
          kind: cell.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
          value: cell.value,
          languageId: cell.languageId,
          outputs: cell.outputs?.map((output) => ({ items: output.items.map((item) => ({ mime: item.mime, data: item.data })), metadata: output.metadata })),
          executionSummary: cell.executionSummary,
          metadata: cell.metadata,
        }),
      ),
    };
    return modelToBytes(model);
  }
}

function toCellData(cell: CellModel): vscode.NotebookCellData {
  const kind = cell.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
  const data = new vscode.NotebookCellData(kind, cell.value, cell.languageId);
  data.outputs = (cell.outputs ?? []).map(
    (output) =>
      new vscode.NotebookCellOutput(
        output.items.map((item) => new vscode.NotebookCellOutputItem(item.data, item.mime)),
        output.metadata,
      ),
  );
  data.executionSummary = cell.executionSummary;
  data.metadata = cell.metadata;
  return data;
}
