/** Customer master data routes (admin to change; readable by order-taking systems). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Customer, CustomerInput } from '../../../model/customer.js';
import { Identifier } from '../../../model/catalog.js';
import { Problem } from '../../../model/problem.js';
import { defineCustomer } from '../../../app/customers/define-customer.js';
import { NotFoundError } from '../../../domain/errors.js';
import type { CustomerStore } from '../../../ports/customer-store.js';
import type { Clock } from '../../../ports/clock.js';
import type { ChannelAccess } from '../../../domain/access/channel-access.js';
import { channelAccessOf } from '../authorize.js';

const IdParams = Type.Object({ id: Identifier });

export interface CustomerRouteDeps {
  customers: CustomerStore;
  clock: Clock;
  /** Orders held for this customer's credit go to the ERP once the hold is lifted (where orders run). */
  creditReleased?: (customerId: string) => Promise<void>;
  /** Whether the customer has an order on a channel the access covers (a key bound to channels sees only those customers). */
  orderedOn?: (customerId: string, access: ChannelAccess) => Promise<boolean>;
}

export function registerCustomerRoutes(app: FastifyInstance, deps: CustomerRouteDeps): void {
  app.put(
    '/v1/customers/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['master data'],
        summary: 'Define or update a customer',
        params: IdParams,
        body: CustomerInput,
        response: { 200: Customer, 201: Customer, 400: Problem },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { customer, created } = await defineCustomer(deps, id, request.body as CustomerInput);
      if (!customer.creditHold) await deps.creditReleased?.(id);
      return reply.code(created ? 201 : 200).send(customer);
    },
  );

  app.get(
    '/v1/customers/:id',
    {
      config: { scope: 'orders:read', channelScoped: true },
      schema: {
        tags: ['master data'],
        summary: 'One customer',
        description: 'A key bound to channels sees a customer once it has an order on one of them.',
        params: IdParams,
        response: { 200: Customer, 404: Problem },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const customer = await deps.customers.customer(id);
      if (!customer) throw new NotFoundError('Customer', id);
      const access = channelAccessOf(request);
      if (access.bound && !(await deps.orderedOn?.(id, access))) throw new NotFoundError('Customer', id);
      return customer;
    },
  );

  app.get(
    '/v1/customers',
    {
      config: { scope: 'orders:read' },
      schema: {
        tags: ['master data'],
        summary: 'Customers by id, a page at a time',
        description: 'Not for keys bound to channels (403): they read one customer at a time.',
        querystring: Type.Object({ after: Type.String({ default: '' }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: { 200: Type.Object({ customers: Type.Array(Customer), next: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const { after, limit } = request.query as { after: string; limit: number };
      const customers = await deps.customers.customers(after, limit);
      return { customers, next: customers.length === limit ? customers[customers.length - 1]!.id : null };
    },
  );
}
