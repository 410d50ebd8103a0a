/**
 * A policy that reads the clock (src/policy/clock.ts), for the tests that no cache answers it: it
 * blocks production with the time it read in its reason, so a cached answer shows as a repeated reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_DIR } from './demo-hub.js';

export const CLOCK_POLICY_SLUG = 'production_freeze';

const CLOCK_POLICY = `name = "Production freeze"
description = "Production deployments name the time they were asked at."
violation_action = "block"

conditions {
    rego = <<-EOT
            package production_freeze

            default result := {"allowed": true}

            result := {"allowed": false, "reason": sprintf("Asked at %d", [time.now_ns()])} if {
                input.Environment.Slug == "production"
            }
            EOT
}

scope {
    rego = <<-EOT
            package production_freeze

            default evaluate := true
            EOT
}
`;

/** The files to add to the demo hub (`demoHub(files)`): the policy, published and activated. */
export function withClockPolicy(): Record<string, string> {
  const config = fs.readFileSync(path.join(DEMO_DIR, 'oclhub.ocl'), 'utf8');
  return {
    [`.octopus/policies/${CLOCK_POLICY_SLUG}.ocl`]: CLOCK_POLICY,
    'oclhub.ocl': `${config}\npolicy "${CLOCK_POLICY_SLUG}" {\n    active_version = "1.0.0"\n}\n`,
  };
}
