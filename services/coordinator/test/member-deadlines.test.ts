/** Per-member deadlines by group: due entries are taken once, in insertion order, and the earliest is tracked. */
import { MemberDeadlines } from '../src/core/member-deadlines';

describe('MemberDeadlines', () => {
  it('takes due entries once, keeps the rest, and answers the earliest deadline', () => {
    const deadlines = new MemberDeadlines();
    expect(deadlines.earliestMs()).toBeNull();
    deadlines.set('g1', 'a', 100);
    deadlines.set('g1', 'b', 300);
    deadlines.set('g2', 'c', 50);
    deadlines.set('g1', 'a', 200); // a heartbeat moves a's deadline; its place stays
    expect(deadlines.earliestMs()).toBe(50);
    expect(deadlines.has('g1', 'a')).toBe(true);
    expect(deadlines.has('g2', 'a')).toBe(false);
    expect(deadlines.takeDue(200)).toEqual([
      { groupId: 'g1', memberId: 'a' },
      { groupId: 'g2', memberId: 'c' },
    ]);
    expect(deadlines.takeDue(200)).toEqual([]);
    expect(deadlines.earliestMs()).toBe(300);
    deadlines.delete('g1', 'b');
    deadlines.delete('g1', 'b');
    expect(deadlines.earliestMs()).toBeNull();
    expect(deadlines.has('g1', 'b')).toBe(false);
  });
});
