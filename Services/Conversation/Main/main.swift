import ConversationService
import Runtime

await ServiceMain.run(ConversationService.definition)
