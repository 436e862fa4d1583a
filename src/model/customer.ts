/**
 * Customers as the hub knows them: enough to decide whether an order may be taken (known,
 * active, not on credit hold), plus the references other systems use for the same customer.
 */
import { Type, type Static } from '@sinclair/typebox';

export const CustomerInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 300 }),
    active: Type.Boolean({ default: true, description: 'Inactive customers cannot place orders.' }),
    creditHold: Type.Boolean({ default: false, description: 'Orders are held or rejected per channel policy while true.' }),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    erpCustomerNumber: Type.Optional(Type.String({ maxLength: 100, description: "The ERP's own number for this customer." })),
  },
  { additionalProperties: false },
);
export type CustomerInput = Static<typeof CustomerInput>;

export const Customer = Type.Composite([Type.Object({ id: Type.String(), updatedAt: Type.String() }), CustomerInput]);
export type Customer = Static<typeof Customer>;
