import { AgentStatusBoard } from './agent-status';

// Agents by status per tenant: the latest status per agent by event ts, whatever the arrival order.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('agents by status, latest by event time', () => {
  it('ignores an older status arriving late and counts agents per status', () => {
    const board = new AgentStatusBoard();
    expect(board.apply({ type: 'agent.status', agentId: 'a1', status: 'available', ts: T })).toEqual({
      agentId: 'a1',
      status: 'available',
      since: T,
    });
    board.apply({ type: 'agent.status', agentId: 'a1', status: 'busy', ts: T + 10_000 });
    expect(board.apply({ type: 'agent.status', agentId: 'a1', status: 'break', ts: T + 5_000 })).toBeNull();
    board.apply({ type: 'agent.status', agentId: 'a2', status: 'wrap_up', ts: T });
    board.apply({ type: 'agent.status', agentId: 'a3', status: 'busy', ts: T });
    expect(board.get('a1')?.status).toBe('busy');
    expect(board.countsByStatus()).toEqual({ available: 0, busy: 2, wrap_up: 1, break: 0, offline: 0 });
  });

  it('resolves two statuses with the same ts the same way in either order', () => {
    const a = new AgentStatusBoard();
    a.apply({ type: 'agent.status', agentId: 'a1', status: 'busy', ts: T });
    a.apply({ type: 'agent.status', agentId: 'a1', status: 'available', ts: T });
    const b = new AgentStatusBoard();
    b.apply({ type: 'agent.status', agentId: 'a1', status: 'available', ts: T });
    b.apply({ type: 'agent.status', agentId: 'a1', status: 'busy', ts: T });
    expect(a.snapshot()).toEqual(b.snapshot());
  });
});
