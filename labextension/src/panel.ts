import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ChildPipelines } from './childview';
import { renderKeepingFocus } from './focuskeep';
import { ciIcon } from './icons';
import { terminalsBlocked } from './jobs';
import { CIModel } from './model';
import {
  CommandIDs,
  IJob,
  JOB_ACTION_COMMANDS,
  PIPELINE_ACTION_COMMANDS
} from './tokens';
import { IViewHandlers, renderPanel } from './view';

/** The left sidebar panel: projects → recent pipelines → jobs by stage. */
export class CIPanel extends Widget {
  constructor(options: { model: CIModel; commands: CommandRegistry }) {
    super();
    this.id = 'jp-ci-terminal-panel';
    this.addClass('jp-CIPanel');
    this.title.icon = ciIcon;
    this.title.caption = 'CI Pipelines';
    this._model = options.model;
    this._model.changed.connect(() => this.update(), this);
    // Unfolded child pipelines of trigger jobs reload as the panel refreshes.
    this._model.changed.connect(
      () => void this._children.refresh(this._model.state.project?.id ?? null),
      this
    );
    this._children.changed.connect(() => this.update(), this);
    const { commands } = options;
    const model = this._model;
    const jobArgs = (job: IJob) => ({
      project: model.state.project?.id ?? '',
      job: job.id
    });
    this._handlers = {
      selectProject: id => model.selectProject(id),
      selectPipeline: id => model.selectPipeline(id),
      refresh: () => void commands.execute(CommandIDs.refresh),
      runPipeline: () => void commands.execute(CommandIDs.runPipeline),
      toggleMine: () => void commands.execute(CommandIDs.toggleMyPipelines),
      debug: job =>
        void commands.execute(CommandIDs.openTerminal, jobArgs(job)),
      openLog: job => void commands.execute(CommandIDs.openLog, jobArgs(job)),
      retryDebug: job =>
        void commands.execute(CommandIDs.retryDebugJob, jobArgs(job)),
      jobAction: (job, action) =>
        void commands.execute(JOB_ACTION_COMMANDS[action], jobArgs(job)),
      endHold: job => void commands.execute(CommandIDs.endHold, jobArgs(job)),
      pipelineAction: (pipeline, action) =>
        void commands.execute(PIPELINE_ACTION_COMMANDS[action], {
          project: model.state.project?.id ?? '',
          pipeline: pipeline.id
        }),
      terminalsDisabled: () => terminalsBlocked(commands),
      children: this._children
    };
    // The Debug (and Retry and Debug) buttons follow the open-terminal
    // command's state.
    commands.commandChanged.connect((_, change) => {
      if (
        change.id === CommandIDs.openTerminal ||
        change.type === 'many-changed'
      ) {
        this.update();
      }
    }, this);
  }

  get model(): CIModel {
    return this._model;
  }

  protected onAfterAttach(msg: Message): void {
    if (this.isVisible) {
      this._model.active = true;
    }
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    this._model.active = true;
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    this._model.active = false;
  }

  protected onUpdateRequest(msg: Message): void {
    // Polling re-renders the panel while it is used from the keyboard.
    renderKeepingFocus(
      renderPanel(this._model.state, this._handlers),
      this.node
    );
  }

  private _children = new ChildPipelines();
  private _handlers: IViewHandlers;
  private _model: CIModel;
}
